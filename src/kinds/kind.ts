/**
 * Session kinds: the one session machine (session/start.ts, coordinator.ts,
 * session/complete.ts: create → launch → callback → status → webhook,
 * single-use) serves several journeys, and a kind is all that differs between
 * them: the scope asked for, the id_token claims requested, what the validated
 * id_token says was made, and, for a journey that pays, where Moneyhub lists
 * what it made and how a record there is recognised (reconciliation). One file
 * per journey beside this one; registry.ts is the only list of them. Kinds are
 * pure data and functions: no HTTP, no storage.
 */
import type { ClaimsRequest } from '../oidc/authorizationRequest'
import { OidcError } from '../oidc/errors'
import type { IdTokenClaims } from '../oidc/idToken'
import type { ErrorCode } from '../errors'
import type { Item, MatchContext, Verdict } from './match'

/** The field a record differs on, as the error table's code and words for a person. */
export interface Difference {
  code: ErrorCode
  message: string
}

/** What a kind may take from the configuration. */
export interface KindDefaults {
  /** DEFAULT_BANK_SELECTOR, for a connection without a bankId. */
  defaultBankSelector: string
}

/** What the session asked for, that the id_token must not contradict (OIDC Core §5.5.1): the session record's fields. */
export interface Asked {
  userId?: string | undefined
  connectionId?: string | undefined
}

export interface SessionKind<Request, Outcome, Name extends string = string> {
  /** The session record's `kind` (registry.ts's key for it); stored, so never renamed. */
  readonly name: Name
  /** It pays: it ends `authorised`, keeps no token set, and its record names its kind (a connection's does not). */
  readonly pays: boolean
  /** The authorisation request's scope (OIDC Core §3.1.2.1; Moneyhub's scopes per flow). */
  scope(request: Request, defaults: KindDefaults): string
  /** The claims request (OIDC Core §5.5), all under id_token. */
  claims(request: Request): ClaimsRequest
  /**
   * What the id_token (already validated, OIDC Core §3.1.3.7) says was made.
   * Throws OidcError `id_token_<claim>_missing` when the claim the kind exists
   * for is absent or not an id, or `id_token_*_mismatch` when it contradicts `asked`.
   */
  outcomeFromIdToken(claims: IdTokenClaims, asked?: Asked): Outcome
  /** Fields of the session record the kind adds from its request (a refund: the payment it reverses). */
  recordFields?(request: Request): { reverses?: string }
}

/** Who made the payment, as every payment id_token says. */
export interface PayerOutcome {
  /** The id_token's sub. */
  userId: string
  /** The id_token's mh:con_id: the payment connection at the bank. */
  connectionId?: string
}

/** The id fields a paying kind's outcome adds to the session (its answer's and its webhook's fields). */
export type OutcomeField<Outcome> = Exclude<keyof Outcome, keyof PayerOutcome> & string

/** A journey that pays: what the session machine, reconciliation and the answers need of it besides its request. */
export interface PaymentKind<Request, Outcome extends PayerOutcome, Name extends string = string> extends SessionKind<
  Request,
  Outcome,
  Name
> {
  readonly pays: true
  /** The id_token claim that carries the request as its value (and names what was made): reconciliation matches that value. */
  readonly claim: string
  /** The session fields its id_token may fill: the ids in its status answer, its webhook and the OpenAPI document. */
  readonly outcomeFields: readonly OutcomeField<Outcome>[]
  /** The field the record found in `list` settles (reconciliation, or a person: payments/settle.ts). */
  readonly outcomeId: OutcomeField<Outcome>
  /** What a person settles it with, in words (`Moneyhub's id of the record that settles …`: the settle body's document). */
  readonly settledBy: string
  /** Where Moneyhub lists what it made (`GET {identity}<path>`), with which client-credentials scope. */
  readonly list: { readonly path: string; readonly scope: string }
  /**
   * The kind's own part of the match rule (payments/reconciliation.ts `matches` adds the user, the payer and the
   * time window): `value` is the claim's value, `item` a listed record. `{ payee }`: read that payee, then ask again.
   */
  match(value: Item, item: Item, context: MatchContext): Verdict | { payee: string }
  /**
   * The terms two sessions look alike on (payments/lookAlikes.ts); absent: a record never settles this kind by
   * likeness (reconciliation answers `unverified`).
   */
  likeness?(value: Item): unknown[]
  /**
   * Moneyhub's record of one (`GET {identity}<list.path>/:id`) as a person's settle reads it (payments/settleCheck.ts):
   * the code when Moneyhub has none; when `match` says no, the first of the kind's fields it differs on (undefined:
   * none named, answered record_terms_mismatch); and, where a record may carry none of the terms (6.x's VRP consent),
   * whether this one does not (nothing of them is compared then).
   */
  readonly notFound: ErrorCode
  difference?(value: Item, item: Item, payeeDiffers: (of: Item) => boolean): Difference | undefined
  withoutTerms?(item: Item): boolean
  /** Once authorised, a standing permission at Moneyhub (a VRP consent): kept while usable, revoked there before deletion. */
  readonly consent: boolean
  /**
   * After authorisation, Moneyhub's record of it keeps a status of its own (a payment's `GET /payments/:id`, a standing
   * order's `GET /standing-orders/:id`): followed from the alarm until final (payments/followStatus.ts).
   */
  readonly followed?: 'paymentStatus' | 'standingOrderStatus'
  /** A refund can reverse it (POST /payments/:id/reverse). */
  readonly reversible: boolean
}

/**
 * Ids Moneyhub writes in the id_token for created objects: `<bankId>:<id>` for connections (moneyhub/moneyhub-api-client,
 * src/__tests__/sync.ts splits them at `:`); Assumption (project): UUIDs for the rest, any plain id accepted.
 */
const CREATED_ID = /^[A-Za-z0-9_:.-]{1,128}$/

/** The id the id_token carries under `claim`; OidcError when it is not there. */
export function createdId(claims: IdTokenClaims, claim: string): string {
  const value = (claims as Record<string, unknown>)[claim]
  if (value === undefined) throw new OidcError(`id_token_${claim.replace(/[^a-z_]/gi, '_')}_missing`, `the id_token has no ${claim}`)
  if (typeof value !== 'string' || !CREATED_ID.test(value)) {
    throw new OidcError('id_token_claim_invalid', `the id_token ${claim} is not an id`)
  }
  return value
}

/** The id under `claim` when the id_token has one. */
export const optionalCreatedId = (claims: IdTokenClaims, claim: string): string | undefined =>
  (claims as Record<string, unknown>)[claim] === undefined ? undefined : createdId(claims, claim)

/** Fields of the request that belong to the session, not to the claim's value. */
const SESSION_FIELDS = new Set(['bankId', 'userId', 'returnTo', 'secretHash'])

/** The request's own fields, without undefined ones: the claim's value. */
export function claimValue(request: object, leaveOut: ReadonlySet<string> = SESSION_FIELDS): Record<string, unknown> {
  return Object.fromEntries(Object.entries(request).filter(([key, value]) => value !== undefined && !leaveOut.has(key)))
}

/**
 * A paying kind's claims request: its own claims, and `mh:con_id` (essential) and `sub` (essential; with the user's
 * id as value when userId is given), as the official client's getAuthorizeUrl merges them into every request
 * (`moneyhub/moneyhub-api-client` src/get-auth-urls.ts).
 */
export function claimsWith(request: { userId?: string }, claims: ClaimsRequest['id_token']): ClaimsRequest {
  return {
    id_token: {
      sub: { essential: true, ...(request.userId ? { value: request.userId } : {}) },
      'mh:con_id': { essential: true },
      ...claims,
    },
  }
}

/** Who paid, from the id_token; OidcError when it is another user than the one asked for. */
export function payer(claims: IdTokenClaims, asked: Asked = {}): PayerOutcome {
  // The claims request asked for this user (OIDC Core §5.5.1): another one is not who was meant to pay.
  if (asked.userId && claims.sub !== asked.userId)
    throw new OidcError('id_token_sub_mismatch', 'the id_token is for another user than the one asked for')
  const connectionId = optionalCreatedId(claims, 'mh:con_id')
  return { userId: claims.sub, ...(connectionId ? { connectionId } : {}) }
}
