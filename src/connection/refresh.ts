/**
 * Refreshing a connected session's token set (OIDC Core §12). Runs inside the
 * session's Durable Object (coordinator.ts), one at a time per session.
 */
import type { Config } from '../config'
import { getIssuerMetadata } from '../oidc/discovery'
import { OidcError, UpstreamError } from '../oidc/errors'
import { verifyIdToken } from '../oidc/idToken'
import { refreshTokens, TokenRequestRejected } from '../oidc/tokenExchange'
import { currentStatus, nowSeconds, publicSession, type Session, type SessionStore, type StoredSession } from '../storage/sessions'
import { refreshableUntil } from './complete'
import { FlowError } from './errors'

export interface Refreshed {
  session: Session
  /** The record as written, for the caller that must not read KV again before it propagates. */
  record: StoredSession
  /** True when the refresh token was refused and the session is now expired. */
  expired: boolean
}

export async function refreshSession(config: Config, store: SessionStore, record: StoredSession | undefined): Promise<Refreshed> {
  if (!record) throw new FlowError('not_found', 'session_not_found', 'no session has this id (it may have expired)')
  if (currentStatus(record) !== 'connected')
    throw new FlowError('conflict', 'session_not_connected', `the session is ${currentStatus(record)}`)
  const connection = await store.readConnection(record)
  if (!connection) throw new FlowError('conflict', 'tokens_unreadable', 'the token set cannot be decrypted with TOKEN_ENCRYPTION_KEY')
  const refreshToken = connection.tokens.refresh_token
  if (!refreshToken || (record.refreshableUntil ?? 0) <= nowSeconds()) {
    throw new FlowError('conflict', 'not_refreshable', 'this session has no refresh token (start it with offlineAccess: true)')
  }

  try {
    const metadata = await getIssuerMetadata(config.issuer, config.upstreamTimeoutMs, config.issuerEndpointOrigins)
    const { tokens, refreshExpiresIn } = await refreshTokens(
      config,
      metadata.token_endpoint,
      refreshToken,
      connection.tokens.scope,
      record.userId,
    )
    // OIDC Core §12.2: a new id_token, when there is one, is validated as at the code exchange, for the same user.
    if (tokens.id_token) {
      await verifyIdToken(tokens.id_token, metadata, {
        issuer: config.issuer,
        clientId: config.clientId,
        nonce: connection.nonce,
        refreshed: true,
        accessToken: tokens.access_token,
        timeoutMs: config.upstreamTimeoutMs,
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
    if (error instanceof UpstreamError) throw new FlowError('upstream', error.code, `the refresh failed upstream: ${error.message}`)
    if (error instanceof OidcError) throw new FlowError('upstream', error.code, `the refreshed tokens were refused: ${error.message}`)
    throw error
  }
}
