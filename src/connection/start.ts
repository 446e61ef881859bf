/**
 * Starting a connection, in two steps that GET /connect runs as one:
 *  - createSession: a pending session in KV, with its secrets sealed;
 *  - authorizeUrlFor / launchSession: in the user's browser, the authorisation
 *    request (pushed, or a signed request object) and the URL to send the
 *    browser to, with the browser-binding key the route puts in a cookie.
 */
import type { Config } from '../config'
import { randomToken, sha256 } from '../encoding'
import { buildAuthorizeUrl } from '../oidc/authorizationRequest'
import { getIssuerMetadata } from '../oidc/discovery'
import { OidcError } from '../oidc/errors'
import { nowSeconds, type PendingSecrets, type SessionStore, type StoredSession } from '../storage/sessions'
import { FlowError } from './errors'
import { claimsFor, scopeFor, type ConnectionTarget } from './moneyhub'

export interface StartRequest extends ConnectionTarget {
  /** Already checked against ALLOWED_ORIGINS. */
  returnTo?: string
}

export interface Created {
  record: StoredSession
  secrets: PendingSecrets
}

export async function createSession(config: Config, store: SessionStore, request: StartRequest): Promise<Created> {
  const id = randomToken(16) // 128 bits
  const secrets: PendingSecrets = {
    // The state carries the session id, so the callback needs one KV read; the random half is what proves it.
    state: `${id}.${randomToken(16)}`,
    nonce: randomToken(16),
    codeVerifier: randomToken(32), // RFC 7636 §4.1: 43 characters
    browserKey: randomToken(16),
  }
  const record = await store.createPending(
    {
      id,
      createdAt: nowSeconds(),
      expiresAt: nowSeconds() + config.sessionTtlSeconds,
      requestedScope: scopeFor(request, config.defaultBankSelector),
      stateHash: await sha256(secrets.state),
      ...(request.bankId ? { bankId: request.bankId } : {}),
      ...(request.userId ? { userId: request.userId } : {}),
      ...(request.connectionId ? { connectionId: request.connectionId } : {}),
      ...(request.returnTo ? { returnTo: request.returnTo } : {}),
    },
    secrets,
  )
  return { record, secrets }
}

/** The authorisation URL at the identity server for this pending session. */
export async function authorizeUrlFor(config: Config, { record, secrets }: Created): Promise<string> {
  try {
    const metadata = await getIssuerMetadata(config.issuer, config.upstreamTimeoutMs)
    const target = { userId: record.userId, connectionId: record.connectionId }
    return await buildAuthorizeUrl(
      config,
      metadata,
      { scope: record.requestedScope, state: secrets.state, nonce: secrets.nonce, codeVerifier: secrets.codeVerifier, claims: claimsFor(target) },
      Math.max(60, record.expiresAt - nowSeconds()),
    )
  } catch (error) {
    if (error instanceof OidcError) throw new FlowError('upstream', error.code, `cannot reach the identity server: ${error.message}`)
    throw error
  }
}

/** A pending session, opened in the user's browser: where to send it, and the key that binds the callback to it. */
export async function launchSession(config: Config, store: SessionStore, id: string) {
  const record = await store.get(id)
  if (!record) throw new FlowError('not_found', 'session_not_found', 'no session has this id (it may have expired)')
  if (record.status !== 'pending') throw new FlowError('conflict', 'session_not_pending', `the session is already ${record.status}`)
  if (record.expiresAt <= nowSeconds()) throw new FlowError('gone', 'session_expired', 'the session expired before it was opened')
  const secrets = await store.openPendingSecrets(record)
  if (!secrets) throw new FlowError('conflict', 'session_unreadable', 'the session cannot be decrypted with TOKEN_ENCRYPTION_KEY')
  return { record, authorizeUrl: await authorizeUrlFor(config, { record, secrets }), browserKey: secrets.browserKey }
}
