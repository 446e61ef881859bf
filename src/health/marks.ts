/**
 * The health mark on GET /banks. The marks of every bank come from one call
 * to the index (objects/bankHealth.ts), reused by this isolate for
 * HEALTH_MARK_MAX_AGE_SECONDS; the list with its marks gets its own ETag, and
 * its max-age is the shorter of the list's and the marks' freshness, so the
 * list stays cacheable and a mark is at most about two of those ages old
 * (docs/bank-health.md). Marks are a hint: when the index cannot be read, the
 * list goes out with Moneyhub's marks only (combinedMark).
 */
import type { Config } from '../config'
import { sha256 } from '../util/encoding'
import { indexOf, type BriefSlot } from '../objects/bankHealth'
import { HOUR_S, SLOT_S, markOf, slotOf, type HealthMark } from './window'

interface Marks {
  marks: Record<string, HealthMark>
  /** When these marks stop being fresh (ms). */
  until: number
  /** A short digest of `marks`, for the ETag. */
  version: string
}

let held: { key: string; marks: Promise<Marks> } | undefined
const merged = new Map<string, { body: string; etag: string }>()

/** For tests: forget the marks this isolate holds. */
export const forgetHealthMarks = () => {
  held = undefined
  merged.clear()
}

export function marksFrom(briefs: Record<string, BriefSlot[]>, health: Config['health'], nowMs: number): Record<string, HealthMark> {
  const from = slotOf(nowMs) - HOUR_S + SLOT_S
  const marks: Record<string, HealthMark> = Object.create(null)
  for (const [bank, slots] of Object.entries(briefs)) {
    let attempts = 0
    let successes = 0
    for (const [slot, a, s] of slots) if (slot >= from) ((attempts += a), (successes += s))
    const mark = markOf({ attempts, successes }, health)
    if (mark) marks[bank] = mark
  }
  return marks
}

async function readMarks(env: Env, config: Config): Promise<Marks> {
  const now = Date.now()
  const briefs = (await indexOf(env).briefsOfActiveBanks()) as Record<string, BriefSlot[]>
  const marks = marksFrom(briefs, config.health, now)
  const version = (await sha256(JSON.stringify(Object.entries(marks).sort()))).slice(0, 16)
  return { marks, until: now + config.health.markMaxAgeSeconds * 1000, version }
}

async function currentMarks(env: Env, config: Config): Promise<Marks | undefined> {
  const key = JSON.stringify(config.health)
  const now = Date.now()
  if (!held || held.key !== key || (await held.marks.catch(() => ({ until: 0 }))).until <= now) {
    held = { key, marks: readMarks(env, config) }
  }
  try {
    return await held.marks
  } catch {
    held = undefined
    return undefined
  }
}

/**
 * The mark a bank gets from its own counts (`counted`, none with too few attempts) and Moneyhub's view of it
 * (WellKnownConnection.status.auth: moneyhub/moneyhub-api-client, src/schema/connection.ts): Moneyhub calling its
 * authorisation TEMPORARILY_ or PERMANENTLY_UNAVAILABLE makes it `failing`, PARTIALLY_AVAILABLE at best `degraded`,
 * even with too few attempts to count (Assumption (project): Moneyhub's word on a provider outweighs a quiet hour).
 */
export function combinedMark(counted: HealthMark | undefined, moneyhubAuth: string | undefined): HealthMark | undefined {
  if (moneyhubAuth === 'TEMPORARILY_UNAVAILABLE' || moneyhubAuth === 'PERMANENTLY_UNAVAILABLE') return 'failing'
  if (moneyhubAuth === 'PARTIALLY_AVAILABLE') return counted === 'failing' ? 'failing' : 'degraded'
  return counted
}

/** A bank list's JSON body with each marked bank's `health`, its ETag, and how long it may be cached. */
export async function withHealthMarks(
  env: Env,
  config: Config,
  list: { body: string; etag: string; freshFor: number },
): Promise<{ body: string; etag: string; freshFor: number }> {
  const marks = await currentMarks(env, config)
  const counted = marks?.marks ?? {}
  const freshFor = marks ? Math.max(0, Math.min(list.freshFor, Math.ceil((marks.until - Date.now()) / 1000))) : list.freshFor
  const key = `${list.etag}|${marks?.version ?? ''}`
  let answer = merged.get(key)
  if (!answer) {
    const banks = JSON.parse(list.body) as { id: string; status?: { auth?: string }; health?: HealthMark }[]
    let changed = false
    for (const bank of banks) {
      const mark = combinedMark(Object.hasOwn(counted, bank.id) ? counted[bank.id] : undefined, bank.status?.auth)
      if (mark) ((bank.health = mark), (changed = true))
    }
    const body = changed ? JSON.stringify(banks) : list.body
    answer = { body, etag: changed ? `"${(await sha256(body)).slice(0, 27)}"` : list.etag }
    if (merged.size >= 16) merged.clear()
    merged.set(key, answer)
  }
  return { ...answer, freshFor }
}
