/** What GET /banks/health answers: every bank active in the last 24 h, each from its own Durable Object. */
import type { Config } from '../config'
import { bankHealthOf, indexOf, type BankSummary } from './bankHealth'
import { markOf, type HealthMark } from './window'

/** Keys that are not one bank: a group selector (count.ts), or a journey without a known bank. */
export const GROUP_KEYS = new Set(['all', 'api', 'legacy', 'test', 'unknown'])

/** Banks asked at once, at most: the rest are named in `omitted`. */
export const MAX_BANKS = 200

export interface BankHealthReport {
  generatedAt: number
  thresholds: Config['health']
  banks: (BankSummary & { group: boolean; mark: HealthMark | null })[]
  omitted: number
}

export async function bankHealthReport(env: Env, config: Config): Promise<BankHealthReport> {
  const active = Object.keys(await indexOf(env).briefsOfActiveBanks()).sort()
  const asked = active.slice(0, MAX_BANKS)
  const summaries = await Promise.all(asked.map((bank) => bankHealthOf(env, bank).summary()))
  const banks = summaries.map((summary, i) => {
    const bank = asked[i]!
    const { attempts, connected, authorised } = summary.lastHour
    return {
      ...summary,
      bank,
      group: GROUP_KEYS.has(bank),
      mark: GROUP_KEYS.has(bank) ? null : (markOf({ attempts, successes: connected + authorised }, config.health) ?? null),
    }
  })
  return { generatedAt: Math.floor(Date.now() / 1000), thresholds: config.health, banks, omitted: active.length - asked.length }
}
