/**
 * A bank's outcomes over a sliding window: counts in 5-minute slots, 288 of
 * them for 24 h, so that "the last hour" slides in 5-minute steps rather than
 * jumping at the top of each hour. Pure functions: the BankHealth Durable
 * Object (objects/bankHealth.ts) keeps the slots, the Worker reads them
 * (docs/bank-health.md).
 */

export const SLOT_S = 300
export const HOUR_S = 3600
export const DAY_S = 86_400

/** What moved one bank's counts: the session's bank key, and the stage it reached. */
export type HealthEvent =
  | { stage: 'started'; bank: string; session: string; kind?: string; at: number }
  /** The authorizeUrl opened by its first browser; `expiresAt` (s): when the link lapses if the user never returns. */
  | { stage: 'opened'; bank: string; session: string; kind?: string; at: number; expiresAt: number }
  /** The user back from the bank and the session final: connected, authorised (a payment kind) or failed with `error`. */
  | {
      stage: 'outcome'
      bank: string
      session: string
      kind?: string
      at: number
      status: 'connected' | 'authorised' | 'failed'
      error?: string
    }

export interface Counts {
  started: number
  opened: number
  /** Users who came back from the bank (each with an outcome below). */
  returned: number
  connected: number
  authorised: number
  /** Failed, by error code (access_denied, upstream_timeout, …). */
  errors: Record<string, number>
  /** Links opened that lapsed without the user coming back. */
  lapsed: number
  /** Time from link opened to return: a histogram (bin → count, see binOf). */
  returnMs: Record<string, number>
}

/**
 * A map of counts keyed by what a request carried (an error code from the callback): null-prototype, so that a key
 * like `constructor` or `__proto__` is a count like any other, never Object.prototype's member.
 */
export const countMap = (from?: Record<string, number>): Record<string, number> =>
  Object.assign(Object.create(null) as Record<string, number>, from)

/** Adds `n` to `map[key]`, counting only the map's own keys. */
export const bump = (map: Record<string, number>, key: string, n = 1) => {
  map[key] = (Object.hasOwn(map, key) ? map[key]! : 0) + n
}

export const emptyCounts = (): Counts => ({
  started: 0,
  opened: 0,
  returned: 0,
  connected: 0,
  authorised: 0,
  errors: countMap(),
  lapsed: 0,
  returnMs: countMap(),
})

/**
 * A count map as a plain object, for storage and RPC (workerd serialises plain objects only); each key stays an own
 * property, `__proto__` included (Object.fromEntries defines, never sets).
 */
export const plainMap = (map: Record<string, number>): Record<string, number> => Object.fromEntries(Object.entries(map))

/** Counts as storage keeps them: plain maps. */
export const stored = (c: Counts): Counts => ({ ...c, errors: plainMap(c.errors), returnMs: plainMap(c.returnMs) })

/** Counts as storage gives them back (structured clone makes plain objects): their maps null-prototype again. */
export const revived = (stored: Counts): Counts => ({ ...stored, errors: countMap(stored.errors), returnMs: countMap(stored.returnMs) })

export const slotOf = (atMs: number) => Math.floor(atMs / 1000 / SLOT_S) * SLOT_S

/** Return-time bins grow by 25 %: bin i holds times up to 100 ms × 1.25^i (bin 0: up to 100 ms; bin 51: over ~24 min). */
const BIN_BASE_MS = 100
const BIN_RATIO = 1.25
const LAST_BIN = 51
export const binOf = (ms: number) =>
  Math.min(LAST_BIN, Math.max(0, Math.ceil(Math.log(Math.max(ms, 1) / BIN_BASE_MS) / Math.log(BIN_RATIO))))
const binTop = (bin: number) => Math.round(BIN_BASE_MS * BIN_RATIO ** bin)

/** The q-quantile of a histogram, as its bin's upper bound (within 25 % above the true value); undefined when empty. */
export function quantileMs(histogram: Record<string, number>, q: number): number | undefined {
  const bins = Object.entries(histogram)
    .map(([bin, n]) => [Number(bin), n] as const)
    .sort((a, b) => a[0] - b[0])
  const total = bins.reduce((sum, [, n]) => sum + n, 0)
  if (!total) return undefined
  let seen = 0
  for (const [bin, n] of bins) {
    seen += n
    if (seen >= q * total) return binTop(bin)
  }
  return binTop(bins.at(-1)![0])
}

export function addCounts(into: Counts, from: Counts): Counts {
  into.started += from.started
  into.opened += from.opened
  into.returned += from.returned
  into.connected += from.connected
  into.authorised += from.authorised
  into.lapsed += from.lapsed
  for (const [code, n] of Object.entries(from.errors)) bump(into.errors, code, n)
  for (const [bin, n] of Object.entries(from.returnMs)) bump(into.returnMs, bin, n)
  return into
}

/** What GET /banks/health shows of a window. */
export interface WindowSummary {
  started: number
  opened: number
  returned: number
  connected: number
  authorised: number
  failed: number
  lapsed: number
  errors: Record<string, number>
  /** Outcomes known: users who returned, plus links that lapsed. */
  attempts: number
  /** (connected + authorised) / attempts, 0–1; null without attempts. */
  successRate: number | null
  medianReturnMs: number | null
  p95ReturnMs: number | null
}

export const attemptsOf = (c: Pick<Counts, 'returned' | 'lapsed'>) => c.returned + c.lapsed
export const successesOf = (c: Pick<Counts, 'connected' | 'authorised'>) => c.connected + c.authorised

export function summarise(c: Counts): WindowSummary {
  const attempts = attemptsOf(c)
  return {
    started: c.started,
    opened: c.opened,
    returned: c.returned,
    connected: c.connected,
    authorised: c.authorised,
    failed: Object.values(c.errors).reduce((sum, n) => sum + n, 0),
    lapsed: c.lapsed,
    errors: plainMap(c.errors),
    attempts,
    successRate: attempts ? Math.round((successesOf(c) / attempts) * 1000) / 1000 : null,
    medianReturnMs: quantileMs(c.returnMs, 0.5) ?? null,
    p95ReturnMs: quantileMs(c.returnMs, 0.95) ?? null,
  }
}

/** The counts of the slots that start within `seconds` before `nowMs`. */
export function windowOf(slots: Iterable<[number, Counts]>, nowMs: number, seconds: number): Counts {
  const from = slotOf(nowMs) - seconds + SLOT_S
  const total = emptyCounts()
  for (const [slot, counts] of slots) if (slot >= from) addCounts(total, counts)
  return total
}

export type HealthMark = 'ok' | 'degraded' | 'failing'

export interface MarkThresholds {
  /** Below this many attempts in the last hour, no mark. */
  minAttempts: number
  /** Success rate (percent) below which a bank is degraded, and failing. */
  degradedBelowPercent: number
  failingBelowPercent: number
}

/** A bank's mark from its last hour: none with too few attempts to say. */
export function markOf(lastHour: { attempts: number; successes: number }, t: MarkThresholds): HealthMark | undefined {
  if (lastHour.attempts < t.minAttempts || lastHour.attempts === 0) return undefined
  const percent = (lastHour.successes / lastHour.attempts) * 100
  return percent < t.failingBelowPercent ? 'failing' : percent < t.degradedBelowPercent ? 'degraded' : 'ok'
}
