/**
 * The session's alarm, decided: when it next rings and when its state is
 * forgotten. Pure (the SessionCoordinator sets the alarm and does the work);
 * times in seconds since the epoch.
 */
import type { Config } from '../../config'
import type { StoredSession } from '../../storage/sessionRecord'
import type { SessionState } from './state'

/** The next try of a failed KV write: 1 s, doubling, at most a minute apart. */
export const rewriteDelayS = (attempt: number) => Math.min(60, 2 ** attempt)
/** An interrupted claim is noticed this long after it was made (well past any exchange's deadline). */
export const CLAIM_STALE_S = 60

/** When a claim (ms) is looked at again as interrupted. */
const claimStaleAt = (claimedAt: number) => Math.floor(claimedAt / 1000) + CLAIM_STALE_S

/**
 * When the alarm rings: the first work that remains (a KV write to retry,
 * Moneyhub's records to ask, a status to follow, a webhook to hand on, a
 * claim to look at again), else when the state is forgotten or expires.
 */
export function alarmAtOf(state: SessionState, outboxNextAt: number, now: number): number {
  const record = state.record
  const claimed = record.status === 'pending' && state.claimedAt !== undefined ? claimStaleAt(state.claimedAt) : Infinity
  const base =
    state.forgetAt ??
    (record.status === 'pending'
      ? state.claimedAt !== undefined
        ? claimStaleAt(state.claimedAt)
        : record.expiresAt + 60
      : record.status === 'connected'
        ? Math.max(record.expiresAt, record.refreshableUntil ?? 0)
        : now)
  return Math.min(
    base,
    state.unwritten?.nextAt ?? Infinity,
    state.reconcile?.nextAt ?? Infinity,
    state.pays?.nextAt ?? Infinity,
    state.follow?.nextAt ?? Infinity,
    outboxNextAt,
    claimed,
  )
}

/** Work the alarm must come back for, whatever the state's age. */
export const hasWork = (state: SessionState | undefined): boolean =>
  !!state && !!(state.unwritten || state.reconcile || state.pays || state.follow)

/**
 * When a state holding `record` may be forgotten: a final state is
 * remembered while its link could still be opened (so that opening it never
 * starts anything again), and at least until `keepUntil` (an
 * Idempotency-Key's 24 h). Undefined while it is still open.
 */
export function forgetAtOf(
  record: StoredSession,
  kept: { linkExpiresAt?: number | undefined; keepUntil?: number | undefined },
  config: Pick<Config, 'sessionTtlSeconds'>,
  now: number,
): number | undefined {
  const linkLapses = (kept.linkExpiresAt ?? 0) + 60
  const final =
    record.status === 'failed'
      ? Math.max(now + config.sessionTtlSeconds, linkLapses)
      : record.status === 'expired'
        ? Math.max(now, linkLapses)
        : record.status === 'authorised' || record.status === 'confirming'
          ? Math.max(record.expiresAt, linkLapses)
          : undefined
  return final === undefined ? undefined : Math.max(final, kept.keepUntil ?? 0)
}
