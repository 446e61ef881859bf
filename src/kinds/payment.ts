/**
 * The payment flows as session kinds (kinds/kind.ts): each is a scope, a
 * claims request and the id it reads back from the id_token, exactly as
 * Moneyhub's official client builds them (getPaymentAuthorizeUrl,
 * getStandingOrderAuthorizeUrl, getRecurringPaymentAuthorizeUrl,
 * getReversePaymentAuthorizeUrl in `moneyhub/moneyhub-api-client`
 * src/get-auth-urls.ts). The id_token's mh:payment is on Moneyhub's page
 * (https://docs.moneyhubenterprise.com/docs/payments-authorization); the other
 * ids under their claims' names are Assumption (project):
 *
 * | kind              | scope                                        | claim (essential, with the request as value) | id_token gives        |
 * |-------------------|----------------------------------------------|----------------------------------------------|-----------------------|
 * | payment           | `payment openid id:<bankId>`                 | `mh:payment`                                 | paymentId             |
 * | standing_order    | `standing_orders:create openid id:<bankId>`  | `mh:standing_order`                          | standingOrderId       |
 * | recurring_payment | `recurring_payment:create openid id:<bankId>`| `mh:recurring_payment`                       | recurringPaymentId    |
 * | reverse_payment   | `reverse_payment openid id:<bankId>`         | `mh:reverse_payment`, and `mh:payment` (no value) | reversePaymentId?, paymentId? (one at least) |
 *
 * Every kind also asks for `mh:con_id` (essential) and `sub` (essential; with
 * the user's id as value when userId is given), as the official client's
 * getAuthorizeUrl merges them into every request.
 */
import { connectionKind, createdId, optionalCreatedId, type Asked, type KindName, type SessionKind } from '../kinds/kind'
import { OidcError } from '../oidc/errors'
import type { ClaimsRequest } from '../oidc/authorizationRequest'
import type { IdTokenClaims } from '../oidc/idToken'
import type { StoredSession } from '../storage/sessions'
import type { PaymentRequest, RecurringPaymentRequest, ReversePaymentRequest, StandingOrderRequest } from '../payments/schemas'

/** Who made the payment, as every payment id_token says. */
export interface PayerOutcome {
  /** The id_token's sub. */
  userId: string
  /** The id_token's mh:con_id: the payment connection at the bank. */
  connectionId?: string
}

export interface PaymentOutcome extends PayerOutcome {
  paymentId: string
}
export interface StandingOrderOutcome extends PayerOutcome {
  standingOrderId: string
}
export interface RecurringPaymentOutcome extends PayerOutcome {
  recurringPaymentId: string
}
/** A refund: at least one of the two ids, each kept when the id_token gives it. */
export interface ReversePaymentOutcome extends PayerOutcome {
  /** Moneyhub's id of the reverse payment, when the id_token carries mh:reverse_payment. */
  reversePaymentId?: string
  /** The refund's own payment (`GET {identity}/payments/:id`), when the id_token carries mh:payment. */
  paymentId?: string
}

/** Fields of the request that belong to the session, not to the claim's value. */
const SESSION_FIELDS = new Set(['bankId', 'userId', 'returnTo', 'secretHash'])

/** The request's own fields, without undefined ones: the claim's value. */
function claimValue(request: object, leaveOut: ReadonlySet<string> = SESSION_FIELDS): Record<string, unknown> {
  return Object.fromEntries(Object.entries(request).filter(([key, value]) => value !== undefined && !leaveOut.has(key)))
}

function claimsWith(request: { userId?: string }, claims: ClaimsRequest['id_token']): ClaimsRequest {
  return {
    id_token: {
      sub: { essential: true, ...(request.userId ? { value: request.userId } : {}) },
      'mh:con_id': { essential: true },
      ...claims,
    },
  }
}

function payer(claims: IdTokenClaims, asked: Asked = {}): PayerOutcome {
  // The claims request asked for this user (OIDC Core §5.5.1): another one is not who was meant to pay.
  if (asked.userId && claims.sub !== asked.userId)
    throw new OidcError('id_token_sub_mismatch', 'the id_token is for another user than the one asked for')
  const connectionId = optionalCreatedId(claims, 'mh:con_id')
  return { userId: claims.sub, ...(connectionId ? { connectionId } : {}) }
}

export const paymentKind: SessionKind<PaymentRequest, PaymentOutcome> = {
  name: 'payment',
  scope: (request) => `payment openid id:${request.bankId}`,
  claims: (request) => claimsWith(request, { 'mh:payment': { essential: true, value: claimValue(request) } }),
  outcomeFromIdToken: (claims, asked) => ({ paymentId: createdId(claims, 'mh:payment'), ...payer(claims, asked) }),
}

export const standingOrderKind: SessionKind<StandingOrderRequest, StandingOrderOutcome> = {
  name: 'standing_order',
  scope: (request) => `standing_orders:create openid id:${request.bankId}`,
  claims: (request) => claimsWith(request, { 'mh:standing_order': { essential: true, value: claimValue(request) } }),
  outcomeFromIdToken: (claims, asked) => ({ standingOrderId: createdId(claims, 'mh:standing_order'), ...payer(claims, asked) }),
}

export const recurringPaymentKind: SessionKind<RecurringPaymentRequest, RecurringPaymentOutcome> = {
  name: 'recurring_payment',
  scope: (request) => `recurring_payment:create openid id:${request.bankId}`,
  // The readme's form of type: an array (a single type is sent as one).
  claims: (request) =>
    claimsWith(request, {
      'mh:recurring_payment': {
        essential: true,
        value: claimValue({ ...request, ...(typeof request.type === 'string' ? { type: [request.type] } : {}) }),
      },
    }),
  outcomeFromIdToken: (claims, asked) => ({ recurringPaymentId: createdId(claims, 'mh:recurring_payment'), ...payer(claims, asked) }),
}

export const reversePaymentKind: SessionKind<ReversePaymentRequest, ReversePaymentOutcome> = {
  name: 'reverse_payment',
  scope: (request) => `reverse_payment openid id:${request.bankId}`,
  claims: (request) =>
    claimsWith(request, {
      'mh:reverse_payment': { essential: true, value: claimValue(request) },
      'mh:payment': { essential: true },
    }),
  // Moneyhub documents only mh:payment in the id_token (https://docs.moneyhubenterprise.com/docs/payments-claim), and a
  // refund asks for it beside mh:reverse_payment (moneyhub/moneyhub-api-client, src/get-auth-urls.ts
  // getReversePaymentAuthorizeUrl): either id identifies the refund, and neither is thrown away. With neither, the
  // refund is authorised without its id (complete.ts: id_pending).
  outcomeFromIdToken: (claims, asked) => {
    const paymentId = optionalCreatedId(claims, 'mh:payment')
    const reversePaymentId = paymentId ? optionalCreatedId(claims, 'mh:reverse_payment') : createdId(claims, 'mh:reverse_payment')
    return { ...(reversePaymentId ? { reversePaymentId } : {}), ...(paymentId ? { paymentId } : {}), ...payer(claims, asked) }
  },
  recordFields: (request) => ({ reverses: request.paymentId }),
}

export const PAYMENT_KINDS = {
  payment: paymentKind,
  standing_order: standingOrderKind,
  recurring_payment: recurringPaymentKind,
  reverse_payment: reversePaymentKind,
} as const

/** Every kind by name: what a session record's `kind` looks up at the callback. */
// `any`: the registry only routes; each kind takes the request its own schema parsed.
export const SESSION_KINDS: { readonly [K in KindName]: SessionKind<any, object> } = { connection: connectionKind, ...PAYMENT_KINDS }

/** The kind of a stored session: the record names it; a record without `kind` is a connection (records made before kinds). */
export const kindOf = (record: Pick<StoredSession, 'kind'>): SessionKind<any, object> => SESSION_KINDS[record.kind ?? 'connection']

/** Whether the session is a payment kind's: it ends `authorised` and keeps no token set. */
export const isPaymentKind = (record: Pick<StoredSession, 'kind'>) => record.kind !== undefined
