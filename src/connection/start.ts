/** Starting a connection: a pending session in KV and the URL that sends the user to the identity server. */
import type { Config } from '../config'
import { randomToken, sha256 } from '../encoding'
import { buildAuthorizeUrl } from '../oidc/authorizationRequest'
import { getIssuerMetadata } from '../oidc/discovery'
import { OidcError } from '../oidc/errors'
import { nowSeconds, publicSession, type Session, type SessionStore } from '../storage/sessions'
import { FlowError } from './errors'
import { claimsFor, scopeFor, type ConnectionTarget } from './moneyhub'

export interface StartRequest extends ConnectionTarget {
  /** Already checked against ALLOWED_ORIGINS. */
  returnTo?: string
}

export interface Started {
  session: Session
  authorizeUrl: string
}

export async function startConnection(config: Config, store: SessionStore, request: StartRequest): Promise<Started> {
  const id = randomToken(16) // 128 bits
  // The state carries the session id, so the callback needs one KV read; the random half is what proves it.
  const state = `${id}.${randomToken(16)}`
  const nonce = randomToken(16)
  const codeVerifier = randomToken(32) // RFC 7636 §4.1: 43 characters
  const scope = scopeFor(request, config.defaultBankSelector)
  const expiresAt = nowSeconds() + config.sessionTtlSeconds

  let authorizeUrl: string
  try {
    const metadata = await getIssuerMetadata(config.issuer, config.upstreamTimeoutMs)
    authorizeUrl = await buildAuthorizeUrl(
      config,
      metadata,
      { scope, state, nonce, codeVerifier, claims: claimsFor(request) },
      config.sessionTtlSeconds,
    )
  } catch (error) {
    if (error instanceof OidcError) throw new FlowError('upstream', error.code, `cannot start a connection: ${error.message}`)
    throw error
  }

  const record = await store.createPending(
    {
      id,
      createdAt: nowSeconds(),
      expiresAt,
      requestedScope: scope,
      stateHash: await sha256(state),
      ...(request.bankId ? { bankId: request.bankId } : {}),
      ...(request.userId ? { userId: request.userId } : {}),
      ...(request.connectionId ? { connectionId: request.connectionId } : {}),
      ...(request.returnTo ? { returnTo: request.returnTo } : {}),
    },
    { codeVerifier, nonce },
  )
  return { session: publicSession(record), authorizeUrl }
}
