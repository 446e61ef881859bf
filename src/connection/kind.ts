/**
 * Session kinds: the one session machine (start.ts, coordinator.ts,
 * complete.ts: create → launch → callback → status → webhook, single-use)
 * serves several flows, and a kind is all that differs between them: the
 * scope asked for, the id_token claims requested, and what the validated
 * id_token says was made. A connection is one kind; payments, standing orders,
 * recurring payments and refunds are the others (payments/kinds.ts, which also
 * has `kindOf(record)`). Kinds are pure data: no HTTP, no storage.
 */
import type { ClaimsRequest } from '../oidc/authorizationRequest'
import { idTokenClaimCode } from '../errors'
import { OidcError } from '../oidc/errors'
import type { IdTokenClaims } from '../oidc/idToken'
import type { StoredSession } from '../storage/sessions'
import { claimsFor, scopeFor, type ConnectionTarget } from './moneyhub'

export const KIND_NAMES = ['connection', 'payment', 'standing_order', 'recurring_payment', 'reverse_payment'] as const
export type KindName = (typeof KIND_NAMES)[number]
/** The kinds that pay: they end `authorised`, and keep no token set. */
export const PAYMENT_KIND_NAMES = [
  'payment',
  'standing_order',
  'recurring_payment',
  'reverse_payment',
] as const satisfies readonly KindName[]

/** What a kind may take from the configuration. */
export interface KindDefaults {
  /** DEFAULT_BANK_SELECTOR, for a connection without a bankId. */
  defaultBankSelector: string
}

/** What the session asked for, that the id_token must not contradict (OIDC Core §5.5.1). */
export type Asked = Pick<StoredSession, 'userId' | 'connectionId'>

export interface SessionKind<Request, Outcome> {
  readonly name: KindName
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
  recordFields?(request: Request): Pick<StoredSession, 'reverses'>
}

/** Ids Moneyhub writes in the id_token for created objects: UUIDs, or `<bankId>:<id>` for connections. */
const CREATED_ID = /^[A-Za-z0-9_:.-]{1,128}$/

/** The id the id_token carries under `claim`; OidcError when it is not there. */
export function createdId(claims: IdTokenClaims, claim: string): string {
  const value = (claims as Record<string, unknown>)[claim]
  if (value === undefined) throw new OidcError(idTokenClaimCode(claim, 'missing'), `the id_token has no ${claim}`)
  if (typeof value !== 'string' || !CREATED_ID.test(value)) {
    throw new OidcError('id_token_claim_invalid', `the id_token ${claim} is not an id`)
  }
  return value
}

/** The id under `claim` when the id_token has one. */
export const optionalCreatedId = (claims: IdTokenClaims, claim: string): string | undefined =>
  (claims as Record<string, unknown>)[claim] === undefined ? undefined : createdId(claims, claim)

/** What a completed connection keeps from its id_token. */
export interface ConnectionOutcome {
  /** The id_token's sub: Moneyhub's user id. */
  userId: string
  /** The id_token's mh:con_id. */
  connectionId?: string
}

/** Connecting a bank account (Moneyhub's data connections): connection/moneyhub.ts builds its scope and claims. */
export const connectionKind: SessionKind<ConnectionTarget, ConnectionOutcome> = {
  name: 'connection',
  scope: (target, defaults) => scopeFor(target, defaults.defaultBankSelector),
  claims: claimsFor,
  outcomeFromIdToken(claims, asked = {}) {
    // The claims request asked for these values (OIDC Core §5.5.1): a different answer is a different user or connection.
    if (asked.userId && claims.sub !== asked.userId)
      throw new OidcError('id_token_sub_mismatch', 'the id_token is for another user than the one asked for')
    const connectionId = optionalCreatedId(claims, 'mh:con_id')
    if (asked.connectionId && connectionId !== asked.connectionId) {
      throw new OidcError('id_token_con_id_mismatch', 'the id_token is for another connection than the one asked for')
    }
    return { userId: claims.sub, ...(connectionId ? { connectionId } : {}) }
  },
}
