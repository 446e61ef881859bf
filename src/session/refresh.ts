/**
 * Refreshing a connected session's token set (OIDC Core §12). Runs in the
 * session's Durable Object (objects/sessionCoordinator.ts), one at a time per session, never
 * inside its input gate, and within REFRESH_BUDGET_MS in all: each call to the
 * identity server gets UPSTREAM_TIMEOUT_MS or what is left of the budget.
 */
import type { Config } from '../config'
import { issuerMetadataOf } from '../oidc/discovery'
import { OidcError, UpstreamError } from '../oidc/errors'
import { verifyIdToken } from '../oidc/idToken'
import { refreshTokens, TokenRequestRejected } from '../oidc/tokenExchange'
import { type SessionStore } from '../storage/sessions'
import { currentStatus, nowSeconds, publicSession, type Session, type StoredSession } from '../storage/sessionRecord'
import { refreshableUntil } from './complete'
import { ApiError, upstreamError } from '../errors'

export interface Refreshed {
  session: Session
  /** The record as written, for the caller that must not read KV again before it propagates. */
  record: StoredSession
  /** True when the refresh token was refused and the session is now expired. */
  expired: boolean
}

/** A refresh ends well inside the platform's limits, however slow the identity server is. */
export const REFRESH_BUDGET_MS = 20_000

export async function refreshSession(config: Config, store: SessionStore, record: StoredSession | undefined): Promise<Refreshed> {
  if (!record) throw new ApiError('session_not_found', 'no session has this id (it may have expired)')
  if (currentStatus(record) !== 'connected') throw new ApiError('session_not_connected', `the session is ${currentStatus(record)}`)
  const connection = await store.readConnection(record)
  if (!connection) throw new ApiError('tokens_unreadable', 'the token set cannot be decrypted with TOKEN_ENCRYPTION_KEY')
  const refreshToken = connection.tokens.refresh_token
  if (!refreshToken || (record.refreshableUntil ?? 0) <= nowSeconds()) {
    throw new ApiError('not_refreshable', 'this session has no refresh token (start it with offlineAccess: true)')
  }

  const deadline = Date.now() + REFRESH_BUDGET_MS
  const bounded = (): Config => ({ ...config, upstreamTimeoutMs: Math.max(1, Math.min(config.upstreamTimeoutMs, deadline - Date.now())) })
  let sent = false
  try {
    const metadata = await issuerMetadataOf(config, bounded().upstreamTimeoutMs)
    sent = true
    const { tokens, refreshExpiresIn } = await refreshTokens(bounded(), metadata.token_endpoint, refreshToken, connection.tokens.scope)
    // OIDC Core §12.2: a new id_token, when there is one, is validated as at the code exchange, for the same user.
    sent = false
    if (tokens.id_token) {
      await verifyIdToken(tokens.id_token, metadata, {
        issuer: config.issuer,
        clientId: config.clientId,
        nonce: connection.nonce,
        refreshed: true,
        accessToken: tokens.access_token,
        timeoutMs: bounded().upstreamTimeoutMs,
        ...(record.userId ? { sub: record.userId } : {}),
      })
    }
    // RFC 6749 §6 and OIDC Core §12.2: the server may leave out a new refresh token or id_token; keep the old ones then.
    const kept = { ...tokens, id_token: tokens.id_token ?? connection.tokens.id_token, refresh_token: tokens.refresh_token ?? refreshToken }
    const stored = await store.storeConnection(
      record,
      { tokens: kept, nonce: connection.nonce },
      {
        userId: record.userId!,
        ...(record.connectionId ? { connectionId: record.connectionId } : {}),
        refreshableUntil: tokens.refresh_token ? refreshableUntil(config, kept, refreshExpiresIn) : record.refreshableUntil,
      },
    )
    return { session: publicSession(stored), record: stored, expired: false }
  } catch (error) {
    // A refused refresh token is dead: the session is over, and says so.
    if (error instanceof TokenRequestRejected && error.oauthError === 'invalid_grant') {
      const expired = await store.markExpired(record, 'refresh_token_rejected')
      return { session: publicSession(expired), record: expired, expired: true }
    }
    // Sent, and no answer in time: the server may have rotated the refresh token. Say so; the stored set is left as it was.
    if (sent && error instanceof UpstreamError && error.code === 'upstream_timeout') {
      throw new ApiError(
        'refresh_outcome_unknown',
        `the identity server did not answer the refresh in time (${error.message}); it may have spent the refresh token, so the next refresh may be refused`,
      )
    }
    // Failed before the identity server answered (discovery, connection): nothing was spent, the session is usable as it was.
    if (error instanceof UpstreamError) throw upstreamError(error, `the refresh failed upstream: ${error.message}`)
    if (error instanceof OidcError) throw upstreamError(error, `the refreshed tokens were refused: ${error.message}`)
    throw error
  }
}
