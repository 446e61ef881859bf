/** What GET /banks/health answers: every bank active in the last 24 h, each from its own Durable Object. */
import type { Config } from '../config'
import { bankHealthOf, indexOf, type BankSummary, type BriefSlot } from '../objects/bankHealth'
import { HOUR_S, SLOT_S, markOf, slotOf, type HealthMark } from './window'

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
  const briefs = (await indexOf(env).briefsOfActiveBanks()) as Record<string, BriefSlot[]>
  // The most active first (starts and outcomes in the last hour, as last reported), so that idle entries, however
  // many, never push an active bank out; then by name, for a stable order.
  const from = slotOf(Date.now()) - HOUR_S + SLOT_S
  const activity = (slots: BriefSlot[]) =>
    slots.reduce((sum, [slot, attempts, , started]) => (slot >= from ? sum + attempts + (started ?? 0) : sum), 0)
  const active = Object.entries(briefs)
    .map(([bank, slots]) => ({ bank, activity: activity(slots) }))
    .sort((a, b) => b.activity - a.activity || (a.bank < b.bank ? -1 : a.bank > b.bank ? 1 : 0))
    .map((entry) => entry.bank)
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
