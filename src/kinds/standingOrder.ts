/**
 * A standing order (POST /standing-orders): scope `standing_orders:create
 * openid id:<bankId>`, the essential claim `mh:standing_order` with the request
 * as its value, as the official client's getStandingOrderAuthorizeUrl builds it
 * (`moneyhub/moneyhub-api-client` src/get-auth-urls.ts); the id_token's
 * mh:standing_order is the order's id (Assumption (project): the claim's name).
 */
import type { StandingOrderRequest } from '../payments/schemas'
import { claimsWith, claimValue, createdId, payer, type PayerOutcome, type PaymentKind } from './kind'
import { isObject } from '../util/loose'
import { fixedIn, payeeVerdict, penceOf, sameDay, termsOf, type Item } from './match'

export interface StandingOrderOutcome extends PayerOutcome {
  standingOrderId: string
}

export const standingOrderKind: PaymentKind<StandingOrderRequest, StandingOrderOutcome, 'standing_order'> = {
  name: 'standing_order',
  pays: true,
  scope: (request) => `standing_orders:create openid id:${request.bankId}`,
  claim: 'mh:standing_order',
  claims: (request) => claimsWith(request, { 'mh:standing_order': { essential: true, value: claimValue(request) } }),
  outcomeFromIdToken: (claims, asked) => ({ standingOrderId: createdId(claims, 'mh:standing_order'), ...payer(claims, asked) }),
  outcomeFields: ['standingOrderId'],
  outcomeId: 'standingOrderId',
  followed: 'standingOrderStatus',
  settledBy: 'a standing order',
  // GET {identity}/standing-orders (payment:read): the official client's src/requests/standing-orders.ts, getStandingOrders.
  list: { path: '/standing-orders', scope: 'payment:read' },
  match(value, item, context) {
    const fixed = fixedIn(value)
    const order = termsOf(item, 'standingOrder')
    if (order.reference !== undefined && order.reference !== value.reference) return 'no'
    const first = penceOf(order.firstPaymentAmount)
    if (first !== undefined && first !== value.firstPaymentAmount) return 'no'
    if (order.firstPaymentDate !== undefined && !sameDay(order.firstPaymentDate, value.firstPaymentDate)) return 'no'
    if (
      order.finalPaymentDate !== undefined &&
      value.finalPaymentDate !== undefined &&
      !sameDay(order.finalPaymentDate, value.finalPaymentDate)
    )
      return 'no'
    if (!fixed('numberOfPayments', order.numberOfPayments)) return 'no'
    const repeat = isObject(order.frequency) ? order.frequency.repeat : order.frequency
    if (repeat !== undefined && repeat !== (value.frequency as Item | undefined)?.repeat) return 'no'
    // Its reference and first amount identify it: a record that does not carry them cannot be made exact.
    return order.reference === undefined || first === undefined ? 'near' : payeeVerdict(value, { ...order, ...item }, context)
  },
  likeness: (value) => [value.reference, value.firstPaymentAmount, value.firstPaymentDate],
  notFound: 'standing_order_not_found',
  difference(value, item, payeeDiffers) {
    const order = termsOf(item, 'standingOrder')
    const first = penceOf(order.firstPaymentAmount)
    if (first !== undefined && first !== value.firstPaymentAmount)
      return { code: 'record_amount_mismatch', message: 'Moneyhub’s record is for another amount' }
    if (payeeDiffers({ ...order, ...item })) return { code: 'record_payee_mismatch', message: 'Moneyhub’s record pays another payee' }
    return undefined
  },
  consent: false,
  reversible: false,
}
