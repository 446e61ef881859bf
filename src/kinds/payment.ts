/**
 * A single payment (POST /payments): scope `payment openid id:<bankId>`, the
 * essential claim `mh:payment` with the request as its value; the id_token's
 * mh:payment is the payment's id (https://docs.moneyhubenterprise.com/docs/payments-authorization),
 * as the official client's getPaymentAuthorizeUrl builds it
 * (`moneyhub/moneyhub-api-client` src/get-auth-urls.ts).
 */
import type { PaymentRequest } from '../payments/schemas'
import { claimsWith, claimValue, createdId, payer, type PayerOutcome, type PaymentKind } from './kind'
import { fixedIn, payeeVerdict, penceOf, reversalOf } from './match'

export interface PaymentOutcome extends PayerOutcome {
  paymentId: string
}

export const paymentKind: PaymentKind<PaymentRequest, PaymentOutcome, 'payment'> = {
  name: 'payment',
  pays: true,
  scope: (request) => `payment openid id:${request.bankId}`,
  claim: 'mh:payment',
  claims: (request) => claimsWith(request, { 'mh:payment': { essential: true, value: claimValue(request) } }),
  outcomeFromIdToken: (claims, asked) => ({ paymentId: createdId(claims, 'mh:payment'), ...payer(claims, asked) }),
  outcomeFields: ['paymentId'],
  outcomeId: 'paymentId',
  followed: 'paymentStatus',
  settledBy: 'a payment',
  // GET {identity}/payments (payment:read): the official client's src/requests/payments.ts, getPayments.
  list: { path: '/payments', scope: 'payment:read' },
  match(value, item, context) {
    const fixed = fixedIn(value)
    // A refund's record never settles a payment.
    if (reversalOf(item) !== undefined) return 'no'
    if (penceOf(item.amount) !== value.amount || item.payeeRef !== value.payeeRef || item.payerRef !== value.payerRef) return 'no'
    if (!fixed('payeeType', item.payeeType) || !fixed('context', item.context)) return 'no'
    return payeeVerdict(value, item, context)
  },
  likeness: (value) => [value.amount, value.payeeRef, value.payerRef],
  notFound: 'payment_not_found',
  difference(value, item, payeeDiffers) {
    if (reversalOf(item) !== undefined)
      return { code: 'record_kind_mismatch', message: 'Moneyhub’s record is a refund of a payment, not the session’s payment' }
    if (penceOf(item.amount) !== value.amount) return { code: 'record_amount_mismatch', message: 'Moneyhub’s record is for another amount' }
    if (item.payeeRef !== value.payeeRef) return { code: 'record_payee_ref_mismatch', message: 'Moneyhub’s record has another payeeRef' }
    if (item.payerRef !== value.payerRef) return { code: 'record_payer_ref_mismatch', message: 'Moneyhub’s record has another payerRef' }
    if (payeeDiffers(item)) return { code: 'record_payee_mismatch', message: 'Moneyhub’s record pays another payee' }
    return undefined
  },
  consent: false,
  reversible: true,
}
