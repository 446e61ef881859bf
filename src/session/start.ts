/**
 * Starting a session of any kind (kinds/registry.ts), in two steps that GET /connect runs as one:
 *  - createSession: a pending session in KV (public fields only), and a launch
 *    ticket: the request, its secrets and the pending record, sealed for the URL;
 *  - openTicket + authorizeUrlFor: in the user's browser, once the session's
 *    Durable Object has bound that browser (objects/sessionCoordinator.ts, launch), the
 *    authorisation request (pushed, or a signed request object) built from the
 *    ticket, without a KV read.
 */
import type { Config } from '../config'
import { randomToken } from '../util/encoding'
import { buildAuthorizeUrl, type ClaimsRequest } from '../oidc/authorizationRequest'
import { issuerMetadataOf } from '../oidc/discovery'
import { OidcError } from '../oidc/errors'
import { open, seal } from '../storage/seal'
import { type PendingSecrets, type SessionStore } from '../storage/sessions'
import { nowSeconds, type StoredSession } from '../storage/sessionRecord'
import { ApiError, upstreamError } from '../errors'
import { connectionKind } from '../kinds/connection'
import type { SessionKind } from '../kinds/kind'
import type { PaymentKindName } from '../kinds/registry'
import type { ConnectionTarget } from './moneyhub'

export interface StartRequest extends ConnectionTarget, SessionFields {
  /** Already checked against ALLOWED_ORIGINS. */
  returnTo?: string
  /** SHA-256 of the session secret, when a browser starts the session. */
  secretHash?: string
}

/** Everything the launch and the code exchange need, sealed into the authorizeUrl so that neither reads KV. */
export interface LaunchTicket extends PendingSecrets {
  state: string
  claims: ClaimsRequest
  /** The pending record as created: the Durable Object takes it over at the launch. */
  record: StoredSession
}

export interface Created {
  record: StoredSession
  ticket: LaunchTicket
  /** The ticket, sealed with `launch:<id>` as associated data. */
  sealedTicket: string
}

export const ticketAad = (id: string) => `launch:${id}`

/** What the session record takes from any kind's request. */
export interface SessionFields {
  bankId?: string
  userId?: string
  connectionId?: string
  returnTo?: string
  secretHash?: string
  /** Started with the backend key (routes/sessions.ts): counted in bank health (health/count.ts). */
  startedBy?: 'backend'
}

/**
 * A new session of `kind`, not yet stored: its pending record and sealed
 * launch ticket. `id` is random unless the caller derives it (an
 * Idempotency-Key: routes/payments.ts), in which case the session's Durable
 * Object stores it (objects/sessionCoordinator.ts, create).
 */
export async function newSession<R extends SessionFields>(
  config: Config,
  request: R,
  kind: SessionKind<R, unknown>,
  id: string = randomToken(16), // 128 bits
): Promise<Created> {
  const secrets: PendingSecrets = {
    nonce: randomToken(16),
    codeVerifier: randomToken(32), // RFC 7636 §4.1: 43 characters
  }
  // The state carries the session id, so the callback finds the session's Durable Object; the random half is what proves it.
  const state = `${id}.${randomToken(16)}`
  const record: StoredSession = {
    v: 1,
    id,
    ...(kind.pays ? { kind: kind.name as PaymentKindName } : {}),
    status: 'pending',
    createdAt: nowSeconds(),
    expiresAt: nowSeconds() + config.sessionTtlSeconds,
    requestedScope: kind.scope(request, config),
    ...(request.bankId ? { bankId: request.bankId } : {}),
    ...(request.userId ? { userId: request.userId } : {}),
    ...(request.connectionId ? { connectionId: request.connectionId } : {}),
    ...(request.returnTo ? { returnTo: request.returnTo } : {}),
    ...(request.secretHash ? { secretHash: request.secretHash } : {}),
    ...(request.startedBy ? { startedBy: request.startedBy } : {}),
    ...kind.recordFields?.(request),
  }
  const ticket: LaunchTicket = { ...secrets, state, claims: kind.claims(request), record }
  return { record, ticket, sealedTicket: await seal(config.encryptionKeys, ticket, ticketAad(id)) }
}

/** A new session of `kind` (a connection by default), its pending record written to KV. */
export async function createSession<R extends SessionFields>(
  config: Config,
  store: SessionStore,
  request: R,
  kind: SessionKind<R, unknown> = connectionKind as unknown as SessionKind<R, unknown>,
): Promise<Created> {
  const created = await newSession(config, request, kind)
  await store.writePending(created.record)
  return created
}

/** The authorisation URL at the identity server. */
export async function authorizeUrlFor(config: Config, ticket: LaunchTicket): Promise<string> {
  try {
    const metadata = await issuerMetadataOf(config)
    const request = { ...ticket, scope: ticket.record.requestedScope }
    return await buildAuthorizeUrl(config, metadata, request, Math.max(60, ticket.record.expiresAt - nowSeconds()))
  } catch (error) {
    if (error instanceof OidcError) throw upstreamError(error, `cannot reach the identity server: ${error.message}`)
    throw error
  }
}

/** The ticket of an authorizeUrl, opened and checked; its session's returnTo is known from here on. */
export async function openTicket(config: Config, id: string, sealedTicket: string): Promise<LaunchTicket> {
  const ticket = await open<LaunchTicket>(config.encryptionKeys, sealedTicket, ticketAad(id))
  if (!ticket || ticket.record?.id !== id) throw new ApiError('ticket_invalid', 'this authorisation link is not valid; start a new session')
  return ticket
}
