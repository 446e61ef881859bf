/**
 * Moneyhub's data scopes and client-level scopes (each call's scope in the
 * official client, `moneyhub/moneyhub-api-client` src/requests/*.ts, and
 * https://docs.moneyhubenterprise.com/docs/client-credentials-token;
 * Assumption (project): transactions:read:in and :out, which no call of the
 * client asks for), and the one set of rules that POST /sessions (data through a
 * connection) and POST /tokens (client-credentials tokens) both apply. Every
 * refusal names the scope it is about.
 */
import type { Config } from '../config'
import { ApiError, upstreamError } from '../errors'
import { issuerMetadataOf } from '../oidc/discovery'
import { OidcError } from '../oidc/errors'

export const TRANSACTIONS_READ = ['transactions:read:all', 'transactions:read:in', 'transactions:read:out'] as const

/** Data scopes a connection's authorisation request may carry. */
export const DATA_SCOPES = [
  'accounts:read',
  'accounts_details:read',
  'accounts:write',
  ...TRANSACTIONS_READ,
  'transactions:write',
  'categories:read',
  'categories:write',
  'spending_analysis:read',
  'spending_goals:read',
  'spending_goals:write',
  'savings_goals:read',
  'savings_goals:write',
] as const

/** For registered users' client-credentials tokens only (use case 2). */
export const WRITE_ALL_SCOPES = [
  'accounts:write:all',
  'transactions:write:all',
  'spending_goals:write:all',
  'savings_goals:write:all',
] as const

/**
 * Client-level scopes of the official client's calls (`moneyhub/moneyhub-api-client`, src/requests/*.ts): what a client
 * token for the client itself may carry when the discovery document lists no scopes_supported. When it does, that list
 * is the authority for which scopes exist (checkScopes).
 */
export const CLIENT_SCOPES = [
  'user:create',
  'user:read',
  'user:delete',
  'payee:create',
  'payee:read',
  'payment:read',
  'recurring_payment:read',
  'recurring_payment:create',
  'connection:read',
] as const

/** Scopes of an authorisation request, never of a token nor a connection's dataScopes: the journeys, and the payment flows' own. */
const AUTHORISATION_ONLY = new Set([
  'openid',
  'offline_access',
  'reauth',
  'reconsent',
  'refresh',
  'payment',
  'reverse_payment',
  'standing_orders:create',
])
const isAuthorisationOnly = (scope: string) => AUTHORISATION_ONLY.has(scope) || scope.startsWith('id:')

const dataScopes = new Set<string>(DATA_SCOPES)
const writeAll = new Set<string>(WRITE_ALL_SCOPES)
const clientScopes = new Set<string>(CLIENT_SCOPES)

export type ScopeUse =
  /** In an authorisation request, beside the bank selector: data scopes, no `…:write:all`. */
  | 'connection'
  /** A client-credentials token for one registered user: data scopes, `…:write:all` included. */
  | 'user_token'
  /** A client-credentials token for the client itself: client-level scopes only. */
  | 'client_token'

const invalidScope = (message: string) => new ApiError('invalid_scope', message)

/**
 * The rules, in the order a reader checks them. `supported` is the discovery
 * document's scopes_supported, when it lists them: then it decides which scopes
 * exist, and a token may carry a scope it lists that this Worker does not know
 * (the identity server decides whether that scope needs a user); without it,
 * the lists above decide. What may go together is always checked here. A
 * connection carries known data scopes only. Answers the scopes in a canonical
 * order (sorted), so that equal sets are equal strings.
 */
export function checkScopes(scopes: readonly string[], use: ScopeUse, supported?: readonly string[]): string[] {
  const checked = checkTogether(scopes, use)
  for (const scope of scopes) {
    const known = dataScopes.has(scope) || writeAll.has(scope) || clientScopes.has(scope)
    if (!supported && !known) throw invalidScope(`${scope} is not a Moneyhub data or client scope`)
    if (supported && !supported.includes(scope)) throw invalidScope(`${scope} is not in the identity server's scopes_supported`)
  }
  return checked
}

/** The rules that do not depend on which scopes the identity server has: each scope's use, and what may go together. */
function checkTogether(scopes: readonly string[], use: ScopeUse): string[] {
  if (!scopes.length) throw invalidScope('at least one scope is required')
  const seen = new Set<string>()
  for (const scope of scopes) {
    if (seen.has(scope)) throw invalidScope(`${scope} is listed twice`)
    seen.add(scope)
    const isData = dataScopes.has(scope)
    const isWriteAll = writeAll.has(scope)
    const isClient = clientScopes.has(scope)
    if (use === 'connection') {
      // The journey's own scopes come from the request's other fields, never from dataScopes.
      if (isAuthorisationOnly(scope)) throw invalidScope(`${scope} is not a data scope: the Worker adds the journey's own scopes`)
      if (isWriteAll) throw invalidScope(`${scope} is only for registered users' client-credentials tokens (POST /tokens with userId)`)
      if (isClient) throw invalidScope(`${scope} is a client-level scope, not a data scope: ask POST /tokens without userId`)
    } else if (isAuthorisationOnly(scope)) {
      throw invalidScope(`${scope} belongs in an authorisation request, not in a client-credentials token`)
    }
    if (use === 'user_token' && isClient) throw invalidScope(`${scope} is a client-level scope: ask for it without userId`)
    if (use === 'client_token' && (isData || isWriteAll))
      throw invalidScope(`${scope} reads a user's data: it needs userId (a registered user)`)
  }
  const reads = scopes.filter((s) => (TRANSACTIONS_READ as readonly string[]).includes(s))
  if (reads.length > 1) throw invalidScope(`${reads[1]}: at most one of ${TRANSACTIONS_READ.join(', ')}`)
  if (seen.has('transactions:write') && !reads.length) throw invalidScope('transactions:write needs a transactions:read scope beside it')
  return [...seen].sort()
}

/** The discovery document's scopes_supported, when it lists them (OIDC Discovery §3: RECOMMENDED, so maybe not). */
export async function supportedScopes(config: Config): Promise<string[] | undefined> {
  let metadata
  try {
    metadata = await issuerMetadataOf(config)
  } catch (error) {
    if (error instanceof OidcError) throw upstreamError(error, `cannot reach the identity server: ${error.message}`)
    throw error
  }
  const listed = (metadata as { scopes_supported?: unknown }).scopes_supported
  return Array.isArray(listed) && listed.every((s) => typeof s === 'string') ? listed : undefined
}

/** checkScopes against what the identity server says it supports. */
export async function checkScopesForIssuer(config: Config, scopes: readonly string[], use: ScopeUse): Promise<string[]> {
  // Refuse what no issuer could grant before asking the issuer anything (a scope may be one only the issuer knows: a
  // connection may carry a data scope the lists above lack, such as the official client's standing_orders:read or
  // statements_basic:read, moneyhub/moneyhub-api-client src/requests/accounts.ts, when discovery lists it).
  checkTogether(scopes, use)
  return checkScopes(scopes, use, await supportedScopes(config))
}
