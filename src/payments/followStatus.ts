/**
 * Issue 27 item 7: a payment is `authorised` at the code exchange, and
 * Moneyhub's own status keeps moving after it (inProgress, pending, then
 * completed, rejected, cancelled, abandoned or error:…: the official client's
 * `PaymentStatus`, moneyhub/moneyhub-api-client src/schema/payment.ts). A
 * later `rejected` shows only by reading the payment again (no webhook of
 * Moneyhub's says so), so the session's alarm reads it (readPayment) until it
 * is final, within a bound, and records the final one as `moneyhubStatus`.
 * The session's own status stays `authorised`: it says the user authorised
 * the payment, never whether the bank paid it. Free of HTTP.
 */
import type { Config } from '../config'
import { ApiError } from '../errors'
import { log } from '../util/log'
import type { StoredSession } from '../storage/sessions'
import { readPayment } from './payments'

/** The payment being followed (times in seconds since the epoch). */
export interface Follow {
  paymentId: string
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

/** Moneyhub's statuses after which nothing changes (the official client's PaymentStatus). */
export const isFinalMoneyhubStatus = (status: string) =>
  ['completed', 'rejected', 'cancelled', 'abandoned'].includes(status) || status.startsWith('error:')

/** What to follow once a record is authorised: a single payment with its id, not yet final. */
export function followFor(record: StoredSession, now: number): Follow | undefined {
  if (record.kind !== 'payment' || record.status !== 'authorised' || !record.paymentId || record.moneyhubStatus) return undefined
  return {
    paymentId: record.paymentId,
    until: Math.min(now + FOLLOW_FOR_S, record.expiresAt),
    attempt: 0,
    nextAt: now + FOLLOW_FIRST_DELAY_S,
  }
}

/**
 * One look: `final` with Moneyhub's final status, or the next look (`next`),
 * or neither once the bound has passed (nothing more is asked).
 */
export async function lookAtPayment(
  config: Config,
  follow: Follow,
  now: number,
): Promise<{ final: string } | { next: Follow } | { done: true }> {
  if (now >= follow.until) return { done: true }
  try {
    const { status } = await readPayment(config, follow.paymentId, { fresh: true })
    if (isFinalMoneyhubStatus(status)) return { final: status }
  } catch (error) {
    // Unreachable or an unexpected answer says nothing about the payment: looked at again.
    if (error instanceof ApiError && error.code === 'payment_not_found') return { done: true }
    log('warn', 'payment_status_unavailable', { paymentId: follow.paymentId, error: error instanceof Error ? error.name : 'unknown' })
  }
  const attempt = follow.attempt + 1
  const nextAt = now + delayS(attempt)
  return nextAt >= follow.until ? { done: true } : { next: { ...follow, attempt, nextAt } }
}
