/**
 * Completing a session from the authorisation response (OIDC Core §3.1.2.5-6):
 * check the response, exchange the code, validate the id_token, and store what
 * the session's kind reads from it: a connection keeps its token set; a payment
 * kind ends `authorised` with the created id, and its tokens are dropped. Every
 * failure after the state is accepted ends the session `failed` with a reason
 * code, except a payment kind's once its code was sent: the money may have
 * moved, so an unknown answer (a timeout, a 5xx, an id_token failing its checks)
 * leaves it `confirming` with the reason, and reconciliation decides
 * (objects/sessionCoordinator.ts, docs/reconciliation.md).
 */
import type { Config } from '../config'
import { issuerMetadataOf } from '../oidc/discovery'
import { OidcError } from '../oidc/errors'
import { verifyIdToken } from '../oidc/idToken'
import { exchangeCode, TokenRequestRejected, type TokenSet } from '../oidc/tokenExchange'
import { type PendingSecrets, type SessionStore } from '../storage/sessions'
import { nowSeconds, type StoredSession } from '../storage/sessionRecord'
import { isConsent, isPaymentKind, kindOf, type OutcomeIds } from '../kinds/registry'
import { IDEMPOTENCY_TTL_SECONDS } from '../storage/idempotency'
import { RECURRING_PAYMENT_RETENTION_SECONDS } from '../payments/recurring'

/** The query of the redirect to MONEYHUB_REDIRECT_URI. */
export interface AuthorizationResponse {
  state: string
  code?: string
  iss?: string
  error?: string
  error_description?: string
  /** The hybrid flow's front-channel id_token (RESPONSE_TYPE=code id_token). */
  id_token?: string
}

const STATE = /^([A-Za-z0-9_-]{22})\.[A-Za-z0-9_-]{22}$/

/** The session id a state carries (start.ts makes states as `<id>.<random>`). */
export const sessionIdOfState = (state: string): string | undefined => STATE.exec(state)?.[1]

/**
 * The step after the session's Durable Object has checked the state and the
 * browser binding and claimed the callback (objects/sessionCoordinator.ts): check the
 * response, exchange the code, and write the outcome, connected or failed.
 */
export async function completeConnection(
  config: Config,
  store: SessionStore,
  record: StoredSession,
  secrets: PendingSecrets,
  response: AuthorizationResponse,
  holdIds?: HoldIds,
): Promise<StoredSession> {
  const progress = { codeSent: false }
  try {
    return await exchangeAndStore(config, store, record, secrets, response, progress, holdIds)
  } catch (error) {
    if (!(error instanceof OidcError)) throw error
    // Only one of RFC 6749 §5.2's errors is the server refusing the code; any other 4xx may come after the work.
    const refused = error instanceof TokenRequestRejected && error.refused
    if (isPaymentKind(record) && progress.codeSent && !refused) {
      // The code went to the token endpoint and no answer we trust came back: the payment may be made. Never `failed`.
      return store.markConfirming(record, error.code, IDEMPOTENCY_TTL_SECONDS)
    }
    return store.markFailed(record, error.code, error instanceof AuthorizationError ? error.description : undefined)
  }
}

/**
 * Holds the Moneyhub ids a validated id_token gave, for this session, before
 * they are assigned (payments/lookAlikes.ts, holdOwnIds): false when one is
 * another session's already, and then none is assigned.
 */
export type HoldIds = (ids: OutcomeIds) => Promise<boolean>

/**
 * A payment kind's id_token without the id claim its kind exists for: the
 * journey was approved (issue 16 item 6: Moneyhub documents only mh:payment).
 */
const lacksOwnId = (record: StoredSession, error: unknown) =>
  isPaymentKind(record) && error instanceof OidcError && /^id_token_mh_[a-z_]+_missing$/.test(error.code)

/** An error the identity server sent back on the redirect (RFC 6749 §4.1.2.1). */
class AuthorizationError extends OidcError<string> {
  constructor(
    code: string,
    readonly description?: string,
  ) {
    super(code, 'the identity server answered the authorisation request with an error')
  }
}

async function exchangeAndStore(
  config: Config,
  store: SessionStore,
  record: StoredSession,
  secrets: PendingSecrets,
  response: AuthorizationResponse,
  progress: { codeSent: boolean },
  holdIds?: HoldIds,
) {
  const metadata = await issuerMetadataOf(config)
  // RFC 9207 §2.4: the iss parameter, when sent (or promised), must be this issuer — a mix-up defence.
  if (response.iss !== undefined && response.iss !== config.issuer)
    throw new OidcError('iss_mismatch', 'the authorisation response comes from another issuer')
  if (response.iss === undefined && metadata.authorization_response_iss_parameter_supported) {
    throw new OidcError('iss_missing', 'the issuer promises an iss parameter and the authorisation response has none')
  }
  if (response.error !== undefined) {
    const code = /^[a-z_]{1,64}$/.test(response.error) ? response.error : 'authorization_error'
    // Moneyhub's error_description is what users need to see; keep it, printable and short.
    const description = response.error_description?.replace(/[^\x20-\x7e]/g, '').slice(0, 300) || undefined
    throw new AuthorizationError(code, description)
  }
  if (!response.code) throw new OidcError('code_missing', 'the authorisation response has neither code nor error')

  // OIDC Core §3.3.2.12: in the hybrid flow the front-channel id_token is validated before the code is used.
  let frontChannelSub: string | undefined
  if (config.responseType === 'code id_token') {
    if (!response.id_token) throw new OidcError('id_token_missing', 'the hybrid authorisation response has no id_token')
    const front = await verifyIdToken(response.id_token, metadata, {
      issuer: config.issuer,
      clientId: config.clientId,
      nonce: secrets.nonce,
      frontChannel: { code: response.code, state: response.state },
      timeoutMs: config.upstreamTimeoutMs,
    })
    frontChannelSub = front.sub
  }

  progress.codeSent = true
  const { tokens, refreshExpiresIn } = await exchangeCode(config, metadata.token_endpoint, {
    code: response.code,
    codeVerifier: secrets.codeVerifier,
    requestedScope: record.requestedScope,
    ...(record.userId ? { sub: record.userId } : {}),
  })
  const claims = await verifyIdToken(tokens.id_token, metadata, {
    issuer: config.issuer,
    clientId: config.clientId,
    nonce: secrets.nonce,
    accessToken: tokens.access_token,
    timeoutMs: config.upstreamTimeoutMs,
  })
  // OIDC Core §3.3.3.6: both id_tokens speak of the same user.
  if (frontChannelSub !== undefined && claims.sub !== frontChannelSub)
    throw new OidcError('id_token_sub_mismatch', 'the two id_tokens name different users')
  // What the session keeps from the id_token is the session kind's business (kind.ts).
  let found: { userId: string; connectionId?: string; reason?: string }
  try {
    found = kindOf(record).outcomeFromIdToken(claims, record) as typeof found
  } catch (error) {
    if (!lacksOwnId(record, error)) throw error
    if (record.userId && claims.sub !== record.userId)
      throw new OidcError('id_token_sub_mismatch', 'the id_token is for another user than the one asked for')
    // Authorised without its id: reconciliation looks for it in Moneyhub's records (objects/sessionCoordinator.ts).
    const connectionId = typeof claims['mh:con_id'] === 'string' ? claims['mh:con_id'] : undefined
    found = { userId: claims.sub, ...(connectionId ? { connectionId } : {}), reason: 'id_pending' }
  }
  // A payment kind's exchange made the payment: its tokens have nothing left to do and are not kept.
  // Its outcome is kept as long as a retried POST may find the session (24 h); a VRP consent's while it may be used.
  if (isPaymentKind(record)) {
    // An id is held for this session before it is assigned; one held by another session is not assigned (a person looks).
    const { userId, connectionId, reason: _reason, ...ids } = found as typeof found & OutcomeIds
    if (holdIds && Object.keys(ids).length && !(await holdIds(ids)))
      found = { userId, ...(connectionId ? { connectionId } : {}), reason: 'id_ambiguous' }
    return store.storeAuthorised(record, found, authorisedRetentionSeconds(record))
  }
  return store.storeConnection(
    record,
    { tokens, nonce: secrets.nonce },
    { ...found, refreshableUntil: refreshableUntil(config, tokens, refreshExpiresIn) },
  )
}

/** How long an authorised payment kind is kept: a retried POST's 24 h; a VRP consent's while it may be used. */
export const authorisedRetentionSeconds = (record: Pick<StoredSession, 'kind'>) =>
  isConsent(record) ? RECURRING_PAYMENT_RETENTION_SECONDS : IDEMPOTENCY_TTL_SECONDS

/** With a refresh token, the session is kept for the token's stated lifetime, else REFRESH_TOKEN_RETENTION_SECONDS. */
export function refreshableUntil(config: Config, tokens: TokenSet, refreshExpiresIn?: number): number | undefined {
  return tokens.refresh_token ? nowSeconds() + (refreshExpiresIn ?? config.refreshRetentionSeconds) : undefined
}
