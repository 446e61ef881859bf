/**
 * When a session whose outcome is unknown is looked at next, and how long its
 * records are kept meanwhile (issue 26: nothing unknown is dropped). Pure:
 * the session's Durable Object (objects/sessionCoordinator.ts) asks, from its alarm, and
 * keeps looking until the session is settled, by Moneyhub's records or by a
 * person (POST /unresolved-sessions/:id/settle, docs/reconciliation.md).
 */
import type { OutcomeIds } from '../kinds/registry'
import type { StoredSession } from '../storage/sessionRecord'
import { RECONCILIATION_MAX_DELAY_S, type ListCursor, type MatchResult } from './reconciliation'

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

/** One look's state (the session's Durable Object keeps it): the window, how many looks, and where an unfinished read stopped. */
export interface Look {
  until: number
  attempt: number
  firstDelay: number
  nextAt: number
  cursor?: ListCursor
}

/** What a look decided about the session: its record as found, still confirming (why), or failed (not made). */
export type Verdict =
  | { authorised: OutcomeIds | { reason: 'consent_unverified' | 'id_ambiguous' | 'id_not_found' } }
  | { confirming: 'consent_unverified' | 'match_ambiguous' | 'not_reconcilable' }
  | { failed: 'payment_not_made' }

/**
 * What one look at Moneyhub's records (`result`; undefined when Moneyhub was
 * unreachable) decides, seen at `now`: a verdict to write, or the look again
 * later. `confirming`: the session's outcome is unknown (else only its id is).
 * Found, it is authorised with the id; ambiguous, it says so; not there once
 * the window has passed, a confirming payment failed (`payment_not_made`) and
 * an authorised one stays without its id. A VRP consent is never linked by
 * likeness (docs/reconciliation.md). A list not read whole is never "none":
 * a read that stopped at its page bound goes on at once.
 */
export function decideLook<L extends Look>(
  result: MatchResult | undefined,
  look: L,
  confirming: boolean,
  now: number,
): { verdict: Verdict } | { again: L } {
  if (result && 'found' in result) return { verdict: { authorised: result.found } }
  if (result && 'unverified' in result)
    return { verdict: confirming ? { confirming: 'consent_unverified' } : { authorised: { reason: 'consent_unverified' } } }
  const attempt = look.attempt + 1
  const { cursor, ...rest } = look
  if (result && 'incomplete' in result) {
    const nextAt = result.cursor ? now + 1 : nextLookAt(now, { ...look, attempt })
    return { again: { ...rest, attempt, nextAt, ...(result.cursor ? { cursor: result.cursor } : {}) } as L }
  }
  if (result && 'ambiguous' in result)
    return { verdict: confirming ? { confirming: 'match_ambiguous' } : { authorised: { reason: 'id_ambiguous' } } }
  if (result && now >= look.until)
    return {
      verdict: !confirming
        ? { authorised: { reason: 'id_not_found' } }
        : 'unsupported' in result
          ? { confirming: 'not_reconcilable' }
          : { failed: 'payment_not_made' },
    }
  // Nothing decided (not yet there, or Moneyhub unreachable): looked at again, further apart past the window (issue 26).
  // A whole read was spent (its cursor with it); Moneyhub unreachable keeps the read where it stopped.
  const nextAt = nextLookAt(now, { ...look, attempt })
  return { again: (result ? { ...rest, attempt, nextAt } : { ...rest, ...(cursor ? { cursor } : {}), attempt, nextAt }) as L }
}

/** After a verdict that leaves the session unresolved (ambiguous, nothing to match on): the next look, reading the list afresh. */
export function lookAgain<L extends Look>(look: L, now: number): L {
  const attempt = look.attempt + 1
  const { cursor: _spent, ...fresh } = look
  return { ...fresh, attempt, nextAt: nextLookAt(now, { ...look, attempt }) } as L
}
