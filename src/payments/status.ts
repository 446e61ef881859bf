/**
 * What GET /payments/:id answers: a payment kind's session (its status and
 * what its id_token said was made) and, once authorised, Moneyhub's own record
 * of the payment (payments.ts). Free of HTTP.
 */
import type { Config } from '../config'
import { ApiError } from '../errors'
import { OUTCOME_IDS, type OutcomeIds } from '../kinds/registry'
import type { Session } from '../storage/sessionRecord'
import { readPayment, type MoneyhubPayment } from './payments'

export type PaymentSessionStatus = 'pending' | 'confirming' | 'authorised' | 'failed' | 'expired' | 'revoked'

export interface PaymentStatus extends OutcomeIds {
  id: string
  kind: NonNullable<Session['kind']>
  status: PaymentSessionStatus
  bankId?: string
  userId?: string
  /** Pending: when the link lapses. Final: until when this status is kept. */
  expiresAt: number
  error?: string
  errorDescription?: string
  /** Why it is confirming, or why an authorised one has no id (docs/reconciliation.md). */
  reason?: string
  /** A single payment or a standing order: Moneyhub's final status of its record once followed (payments/followStatus.ts); `status` stays authorised. */
  moneyhubStatus?: string
  /** Moneyhub's record of the payment (paymentId), once authorised; left out when it cannot be read just now. */
  payment?: MoneyhubPayment
}

const notFound = () => new ApiError('payment_not_found', 'no payment session has this id (it may have expired)')

/** A session's status as a payment; a session of another kind (a connection) is not a payment: 404. */
export function paymentStatusOf(session: Session | undefined): PaymentStatus {
  if (!session?.kind) throw notFound()
  const status = session.status === 'connected' ? 'authorised' : session.status
  const view: PaymentStatus = { id: session.id, kind: session.kind, status, expiresAt: session.expiresAt }
  for (const field of ['bankId', 'userId', ...OUTCOME_IDS, 'error', 'errorDescription', 'reason', 'moneyhubStatus'] as const) {
    if (session[field] !== undefined) view[field] = session[field]
  }
  return view
}

/** The status with Moneyhub's record of the payment beside it, when there is one to read. */
export async function withMoneyhubRecord(config: Config, view: PaymentStatus): Promise<PaymentStatus> {
  if (view.status !== 'authorised' || !view.paymentId) return view
  // The session's outcome stands on its own: a failed read leaves the record out rather than failing the status.
  const payment = await readPayment(config, view.paymentId).catch(() => undefined)
  return payment ? { ...view, payment } : view
}
