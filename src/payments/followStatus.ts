/**
 * Issue 27 item 7 and item 2: a payment or a standing order is `authorised`
 * at the code exchange, and Moneyhub's own record of it carries a status that
 * keeps moving. A payment's is the official client's `PaymentStatus`
 * (inProgress, pending, then completed, rejected, cancelled, abandoned or
 * error:…; moneyhub/moneyhub-api-client src/schema/payment.ts); a standing
 * order's is `StandingOrderRequest.status` (InProgress, InitiationPending,
 * then InitiationCompleted, InitiationFailed or Cancelled;
 * src/schema/standing-order.ts, getStandingOrder in
 * src/requests/standing-orders.ts). A later `rejected` shows only by reading
 * the record again (no webhook of Moneyhub's says so), so the session's alarm
 * reads it until it is final, within a bound, and records the final one as
 * `moneyhubStatus`. The session's own status stays `authorised`: it says the
 * user authorised it, never whether the bank paid. Free of HTTP.
 */
import * as v from 'valibot'
import type { Config } from '../config'
import { ApiError } from '../errors'
import { log } from '../util/log'
import { PAYMENT_KINDS, type PaymentKindName } from '../kinds/registry'
import { IdentityApiError, identityRecord } from '../oidc/identity'
import type { StoredSession } from '../storage/sessionRecord'
import { readPayment } from './payments'

/** The record being followed: a single payment (paymentId) or a standing order (standingOrderId); times in seconds since the epoch. */
export interface Follow {
  paymentId?: string
  standingOrderId?: string
  /** No look after this: 24 h after authorisation, never past the record's own life. */
  until: number
  attempt: number
  nextAt: number
}

/** Assumption (project): a first look a few seconds after authorisation, doubling, at most 10 minutes apart, for at most 24 h. */
export const FOLLOW_FIRST_DELAY_S = 5
export const FOLLOW_MAX_DELAY_S = 600
export const FOLLOW_FOR_S = 24 * 3600
const delayS = (attempt: number) => Math.min(FOLLOW_MAX_DELAY_S, FOLLOW_FIRST_DELAY_S * 2 ** attempt)

/**
 * Moneyhub's statuses after which nothing changes. The official client's PaymentStatus declares the statuses; which
 * are final is an Assumption (project).
 */
export const isFinalMoneyhubStatus = (status: string) =>
  ['completed', 'rejected', 'cancelled', 'abandoned'].includes(status) || status.startsWith('error:')

/** A standing order's statuses after which nothing changes (declared by the official client's StandingOrderRequestStatus; which are final: Assumption (project)). */
export const isFinalStandingOrderStatus = (status: string) => ['InitiationCompleted', 'InitiationFailed', 'Cancelled'].includes(status)

/** What to follow once a record is authorised: a single payment or a standing order with its id, not yet final. */
export function followFor(record: StoredSession, now: number): Follow | undefined {
  if (record.status !== 'authorised' || record.moneyhubStatus) return undefined
  const by = record.kind === undefined ? undefined : PAYMENT_KINDS[record.kind as PaymentKindName]?.followed
  const followed =
    by === 'paymentStatus' && record.paymentId
      ? { paymentId: record.paymentId }
      : by === 'standingOrderStatus' && record.standingOrderId
        ? { standingOrderId: record.standingOrderId }
        : undefined
  if (!followed) return undefined
  return { ...followed, until: Math.min(now + FOLLOW_FOR_S, record.expiresAt), attempt: 0, nextAt: now + FOLLOW_FIRST_DELAY_S }
}

/** Moneyhub's record of a standing order: its status, if it carries one (`{data: T}` or a bare T); `gone` when Moneyhub has none. */
async function standingOrderStatus(config: Config, id: string): Promise<string | undefined | 'gone'> {
  let data: unknown
  try {
    data = await identityRecord(config, { path: `/standing-orders/${encodeURIComponent(id)}`, scope: 'payment:read' })
  } catch (error) {
    if (error instanceof IdentityApiError && error.status === 404) return 'gone'
    throw error
  }
  const parsed = v.safeParse(v.looseObject({ id: v.literal(id), status: v.optional(v.string()) }), data)
  if (!parsed.success) throw new ApiError('upstream_invalid_response', 'Moneyhub answered the standing order in an unexpected shape')
  return parsed.output.status
}

/** The followed record's status now (`gone`: no such record), and whether it is final. */
async function statusNow(config: Config, follow: Follow): Promise<{ status: string | undefined | 'gone'; final: boolean }> {
  if (follow.standingOrderId) {
    const status = await standingOrderStatus(config, follow.standingOrderId)
    return { status, final: status !== undefined && status !== 'gone' && isFinalStandingOrderStatus(status) }
  }
  try {
    const { status } = await readPayment(config, follow.paymentId!, { fresh: true })
    return { status, final: isFinalMoneyhubStatus(status) }
  } catch (error) {
    if (error instanceof ApiError && error.code === 'payment_not_found') return { status: 'gone', final: false }
    throw error
  }
}

/**
 * One look: `final` with Moneyhub's final status, or the next look (`next`),
 * or neither once the bound has passed, the record is gone or carries no
 * status (nothing more is asked).
 */
export async function lookAtPayment(
  config: Config,
  follow: Follow,
  now: number,
): Promise<{ final: string } | { next: Follow } | { done: true }> {
  if (now >= follow.until) return { done: true }
  try {
    const { status, final } = await statusNow(config, follow)
    if (status === 'gone' || status === undefined) return { done: true }
    if (final) return { final: status }
  } catch (error) {
    // Unreachable or an unexpected answer says nothing about the record: looked at again.
    log('warn', 'payment_status_unavailable', {
      ...(follow.paymentId ? { paymentId: follow.paymentId } : { standingOrderId: follow.standingOrderId }),
      error: error instanceof Error ? error.name : 'unknown',
    })
  }
  const attempt = follow.attempt + 1
  const nextAt = now + delayS(attempt)
  return nextAt >= follow.until ? { done: true } : { next: { ...follow, attempt, nextAt } }
}
