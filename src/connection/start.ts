/**
 * Starting a connection, in two steps that GET /connect runs as one:
 *  - createSession: a pending session in KV with its secrets sealed, and a
 *    launch ticket: the same secrets plus the request, sealed for the URL;
 *  - launchSession: in the user's browser, the authorisation request (pushed,
 *    or a signed request object) built from the ticket, without a KV read,
 *    and the browser-binding key the route puts in a cookie.
 */
import type { Config } from '../config'
import { randomToken, sha256 } from '../encoding'
import { buildAuthorizeUrl, type ClaimsRequest } from '../oidc/authorizationRequest'
import { getIssuerMetadata } from '../oidc/discovery'
import { OidcError } from '../oidc/errors'
import { open, seal } from '../storage/seal'
import { nowSeconds, type PendingSecrets, type SessionStore, type StoredSession } from '../storage/sessions'
import { FlowError } from './errors'
import { claimsFor, scopeFor, type ConnectionTarget } from './moneyhub'

export interface StartRequest extends ConnectionTarget {
  /** Already checked against ALLOWED_ORIGINS. */
  returnTo?: string
  /** SHA-256 of the session secret, when a browser starts the session. */
  secretHash?: string
}

/** Everything the launch needs, sealed into the authorizeUrl so that launching reads nothing from KV. */
export interface LaunchTicket extends PendingSecrets {
  state: string
  scope: string
  claims: ClaimsRequest
  expiresAt: number
}

export interface Created {
  record: StoredSession
  ticket: LaunchTicket
  /** The ticket, sealed with the session id as associated data. */
  sealedTicket: string
}

const ticketAad = (id: string) => `launch:${id}`

export async function createSession(config: Config, store: SessionStore, request: StartRequest): Promise<Created> {
  const id = randomToken(16) // 128 bits
  const secrets: PendingSecrets = {
    nonce: randomToken(16),
    codeVerifier: randomToken(32), // RFC 7636 §4.1: 43 characters
    browserKey: randomToken(16),
  }
  // The state carries the session id, so the callback needs one KV read; the random half is what proves it.
  const state = `${id}.${randomToken(16)}`
  const scope = scopeFor(request, config.defaultBankSelector)
  const expiresAt = nowSeconds() + config.sessionTtlSeconds
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
      ...(request.secretHash ? { secretHash: request.secretHash } : {}),
    },
    secrets,
  )
  const ticket: LaunchTicket = { ...secrets, state, scope, claims: claimsFor(request), expiresAt }
  return { record, ticket, sealedTicket: await seal(config.encryptionKeys, ticket, ticketAad(id)) }
}

/** The authorisation URL at the identity server. */
export async function authorizeUrlFor(config: Config, ticket: LaunchTicket): Promise<string> {
  try {
    const metadata = await getIssuerMetadata(config.issuer, config.upstreamTimeoutMs, config.issuerEndpointOrigins)
    return await buildAuthorizeUrl(config, metadata, ticket, Math.max(60, ticket.expiresAt - nowSeconds()))
  } catch (error) {
    if (error instanceof OidcError) throw new FlowError('upstream', error.code, `cannot reach the identity server: ${error.message}`)
    throw error
  }
}

/** Opening the authorizeUrl in the user's browser: where to send it, and the key that binds the callback to it. */
export async function launchSession(config: Config, id: string, sealedTicket: string) {
  const ticket = await open<LaunchTicket>(config.encryptionKeys, sealedTicket, ticketAad(id))
  if (!ticket) throw new FlowError('invalid', 'ticket_invalid', 'this authorisation link is not valid; start a new session')
  if (ticket.expiresAt <= nowSeconds()) throw new FlowError('gone', 'session_expired', 'the session expired before it was opened')
  return { authorizeUrl: await authorizeUrlFor(config, ticket), browserKey: ticket.browserKey, expiresAt: ticket.expiresAt }
}
