/**
 * A VRP consent (POST /recurring-payments): scope `recurring_payment:create
 * openid id:<bankId>`, the essential claim `mh:recurring_payment` with the
 * request as its value, as the official client's getRecurringPaymentAuthorizeUrl
 * builds it (`moneyhub/moneyhub-api-client` src/get-auth-urls.ts); the
 * id_token's mh:recurring_payment is the consent's id (Assumption (project):
 * the claim's name). Pays under it: payments/recurring.ts.
 */
import type { RecurringPaymentRequest } from '../payments/schemas'
import { claimsWith, claimValue, createdId, payer, type PayerOutcome, type PaymentKind } from './kind'
import { isObject } from '../util/loose'
import { fixedIn, penceOf, termsOf } from './match'

export interface RecurringPaymentOutcome extends PayerOutcome {
  recurringPaymentId: string
}

export const recurringPaymentKind: PaymentKind<RecurringPaymentRequest, RecurringPaymentOutcome, 'recurring_payment'> = {
  name: 'recurring_payment',
  pays: true,
  scope: (request) => `recurring_payment:create openid id:${request.bankId}`,
  claim: 'mh:recurring_payment',
  // The readme's form of type: an array (a single type is sent as one).
  claims: (request) =>
    claimsWith(request, {
      'mh:recurring_payment': {
        essential: true,
        value: claimValue({ ...request, ...(typeof request.type === 'string' ? { type: [request.type] } : {}) }),
      },
    }),
  outcomeFromIdToken: (claims, asked) => ({ recurringPaymentId: createdId(claims, 'mh:recurring_payment'), ...payer(claims, asked) }),
  outcomeFields: ['recurringPaymentId'],
  outcomeId: 'recurringPaymentId',
  settledBy: 'a VRP consent',
  // GET {identity}/recurring-payments (recurring_payment:read): the official client's src/requests/recurring-payments.ts.
  list: { path: '/recurring-payments', scope: 'recurring_payment:read' },
  match(value, item) {
    // A VRP consent is never settled by likeness (no `likeness`: reconciliation says `unverified`): its terms are
    // compared only to say so.
    const consent = termsOf(item, 'recurringPayment')
    const same = ['reference', 'validFromDate', 'validToDate'].every((key) => fixedIn(value)(key, consent[key]))
    if (!same || penceOf(consent.maximumIndividualAmount) !== value.maximumIndividualAmount) return 'no'
    return 'near'
  },
  notFound: 'recurring_payment_not_found',
  difference(value, item) {
    if (penceOf(termsOf(item, 'recurringPayment').maximumIndividualAmount) !== value.maximumIndividualAmount)
      return { code: 'record_amount_mismatch', message: 'Moneyhub’s record allows another amount' }
    return undefined
  },
  // 6.x declares a consent's record without its terms (moneyhub/moneyhub-api-client, src/schema/payment.ts).
  withoutTerms: (item) => !isObject(item.recurringPayment),
  consent: true,
  reversible: false,
}
