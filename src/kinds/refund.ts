/**
 * A refund, Moneyhub's reverse payment (POST /payments/:id/reverse): scope
 * `reverse_payment openid id:<bankId>`, the essential claim `mh:reverse_payment`
 * with the request as its value and `mh:payment` (essential, no value), as the
 * official client's getReversePaymentAuthorizeUrl builds it
 * (`moneyhub/moneyhub-api-client` src/get-auth-urls.ts). Its stored kind name
 * is `reverse_payment`, Moneyhub's.
 */
import type { ReversePaymentRequest } from '../payments/schemas'
import { claimsWith, claimValue, createdId, optionalCreatedId, payer, type PayerOutcome, type PaymentKind } from './kind'
import { penceOf, reversalOf } from './match'

/** A refund: at least one of the two ids, each kept when the id_token gives it. */
export interface ReversePaymentOutcome extends PayerOutcome {
  /** Moneyhub's id of the reverse payment, when the id_token carries mh:reverse_payment. */
  reversePaymentId?: string
  /** The refund's own payment (`GET {identity}/payments/:id`), when the id_token carries mh:payment. */
  paymentId?: string
}

export const reversePaymentKind: PaymentKind<ReversePaymentRequest, ReversePaymentOutcome, 'reverse_payment'> = {
  name: 'reverse_payment',
  pays: true,
  scope: (request) => `reverse_payment openid id:${request.bankId}`,
  claim: 'mh:reverse_payment',
  claims: (request) =>
    claimsWith(request, {
      'mh:reverse_payment': { essential: true, value: claimValue(request) },
      'mh:payment': { essential: true },
    }),
  // Moneyhub documents only mh:payment in the id_token (https://docs.moneyhubenterprise.com/docs/payments-claim), and a
  // refund asks for it beside mh:reverse_payment (moneyhub/moneyhub-api-client, src/get-auth-urls.ts
  // getReversePaymentAuthorizeUrl): either id identifies the refund, and neither is thrown away. With neither, the
  // refund is authorised without its id (session/complete.ts: id_pending).
  outcomeFromIdToken: (claims, asked) => {
    const paymentId = optionalCreatedId(claims, 'mh:payment')
    const reversePaymentId = paymentId ? optionalCreatedId(claims, 'mh:reverse_payment') : createdId(claims, 'mh:reverse_payment')
    return { ...(reversePaymentId ? { reversePaymentId } : {}), ...(paymentId ? { paymentId } : {}), ...payer(claims, asked) }
  },
  recordFields: (request) => ({ reverses: request.paymentId }),
  outcomeFields: ['reversePaymentId', 'paymentId'],
  // Assumption (project): a refund is a payment of Moneyhub's, listed with the others, naming the payment it reverses.
  // The record found is the refund's own payment (the id_token's mh:payment), so it is its paymentId.
  outcomeId: 'paymentId',
  settledBy: 'a refund (its own payment record, as GET /payments lists it)',
  list: { path: '/payments', scope: 'payment:read' },
  match(value, item) {
    // Only a refund's record, of the payment this one reverses, settles a refund.
    if (reversalOf(item) !== value.paymentId) return 'no'
    if (value.amount !== undefined && penceOf(item.amount) !== value.amount) return 'no'
    return 'exact'
  },
  likeness: (value) => [value.paymentId],
  notFound: 'payment_not_found',
  difference(value, item) {
    if (reversalOf(item) === undefined)
      return { code: 'record_kind_mismatch', message: 'Moneyhub’s record is a payment, not a refund: it cannot settle the refund' }
    if (reversalOf(item) !== value.paymentId)
      return { code: 'record_reversal_mismatch', message: 'Moneyhub’s record refunds another payment' }
    if (value.amount !== undefined && penceOf(item.amount) !== value.amount)
      return { code: 'record_amount_mismatch', message: 'Moneyhub’s record is for another amount' }
    return undefined
  },
  consent: false,
  reversible: false,
}
