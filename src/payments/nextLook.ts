/**
 * When a session whose outcome is unknown is looked at next, and how long its
 * records are kept meanwhile (issue 26: nothing unknown is dropped). Pure:
 * the session's Durable Object (coordinator.ts) asks, from its alarm, and
 * keeps looking until the session is settled, by Moneyhub's records or by a
 * person (POST /unresolved-sessions/:id/settle, docs/reconciliation.md).
 */
import type { StoredSession } from '../storage/sessions'
import { RECONCILIATION_MAX_DELAY_S } from './reconciliation'

/** Past the window, looks stay this far apart at most (Assumption (project): a few a day is enough to notice a late record). */
export const LATE_MAX_DELAY_S = 6 * 3600
/** An unresolved session's records (KV, and the index entry) are kept at least this long past its next look. */
export const UNRESOLVED_KEEP_S = 24 * 3600
/** ...and written again when they would lapse within this of the next look. */
const KEEP_MARGIN_S = 3600

/**
 * Whether a session's outcome is still unknown: a payment kind `confirming`
 * for any reason, or `authorised` whose id is still being looked for or was
 * matched by more than one record, or a VRP consent never verified. `id_not_found` is settled: the money is
 * known to have moved, only its id is missing.
 */
export const isUnresolved = (record: Pick<StoredSession, 'status' | 'reason' | 'kind'>): boolean =>
  record.kind !== undefined &&
  (record.status === 'confirming' ||
    (record.status === 'authorised' &&
      (record.reason === 'id_pending' || record.reason === 'id_ambiguous' || record.reason === 'consent_unverified')))

/**
 * When look number `attempt` (1 = the one after the first) comes, seen at
 * `now`. Inside the window, after twice the previous delay, capped at 5
 * minutes, with a last look when the window closes; past it, the delay keeps
 * doubling up to LATE_MAX_DELAY_S.
 */
export function nextLookAt(now: number, look: { until: number; attempt: number; firstDelay: number }): number {
  const delay = look.firstDelay * 2 ** Math.min(look.attempt, 30)
  if (now < look.until) return Math.max(now + 1, Math.min(look.until, now + Math.min(RECONCILIATION_MAX_DELAY_S, delay)))
  return now + Math.max(look.firstDelay, Math.min(LATE_MAX_DELAY_S, delay))
}

/**
 * Until when an unresolved record must be kept, seen with its next look at
 * `nextAt`: undefined when what it is kept for already covers that look
 * with a margin; else `nextAt` + UNRESOLVED_KEEP_S.
 */
export function keepUnresolvedUntil(keptUntil: number, nextAt: number): number | undefined {
  return keptUntil >= nextAt + KEEP_MARGIN_S ? undefined : nextAt + UNRESOLVED_KEEP_S
}
