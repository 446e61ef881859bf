/**
 * What a refund (POST /payments/:id/reverse) needs before its session is made:
 * the payment, named by this Worker's payment session or by Moneyhub's payment
 * id (the official client refunds any payment id: `getReversePaymentAuthorizeUrl`);
 * Moneyhub's record of it, read now, saying it is reversible; and a hold of the
 * refund's amount in the payment's ledger (objects/refundLedger.ts). Free of HTTP.
 */
import type { Config } from '../config'
import { paymentKindOf } from '../kinds/registry'
import { ApiError } from '../errors'
import type { Session } from '../storage/sessionRecord'
import { readPayment, type MoneyhubPayment } from './payments'
import type { HoldOutcome } from '../objects/refundLedger'
import { paymentStatusOf } from './status'

const SESSION_ID = /^[A-Za-z0-9_-]{22}$/

/**
 * Moneyhub's id of the payment `id` names: a payment session of this Worker
 * (authorised, with the id its id_token gave), else `id` itself.
 */
export async function paymentIdOf(id: string, sessionOf: (id: string) => Promise<Session | undefined>): Promise<string> {
  const session = SESSION_ID.test(id) ? await sessionOf(id) : undefined
  if (!session) return id
  const view = paymentStatusOf(session) // 404 for a connection
  if (!paymentKindOf(view.kind).reversible) throw new ApiError('payment_not_reversible', `this session is a ${view.kind}, not a payment`)
  if (view.status !== 'authorised' || !view.paymentId)
    throw new ApiError('payment_not_reversible', `the payment is ${view.status}, not authorised`)
  return view.paymentId
}

/**
 * Reversibility is Moneyhub's to say, from its record of the payment (read now,
 * not from the short cache): `isReversible` when the record has it (the
 * official client's `Payment` type, src/schema/payment.ts; it needs
 * `readRefundAccount` at the payment), else `status === 'completed'`.
 */
export async function reversiblePayment(config: Config, paymentId: string): Promise<MoneyhubPayment> {
  const payment = await readPayment(config, paymentId, { fresh: true })
  const reversible = typeof payment.isReversible === 'boolean' ? payment.isReversible : payment.status === 'completed'
  if (!reversible)
    throw new ApiError(
      'payment_not_reversible',
      typeof payment.isReversible === 'boolean'
        ? `Moneyhub says the payment (${payment.status}) is not reversible; a refund needs a completed payment made with readRefundAccount`
        : `Moneyhub says the payment is ${payment.status}; only a completed payment can be refunded`,
    )
  return payment
}

/** A refused hold as the API's error: 409, with what remains. */
export function heldOrRefused(outcome: HoldOutcome): number {
  if (!outcome.ok) throw new ApiError(outcome.code, outcome.message)
  return outcome.amount
}
