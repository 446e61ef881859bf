/**
 * The client credentials grant (RFC 6749 §4.4) as Moneyhub serves it: client-level
 * scopes (users, payees, payments), or data scopes for one registered user, named
 * by the `sub` form field. `requireClientToken` is how the mock's own APIs check
 * a bearer token's scope and user.
 */
import type { Context } from 'hono'
import { OAuthError, random } from './oauth'
import { users } from './registeredUsers'
import { now } from './state'

/** Scopes a client-credentials token carries for the client itself. */
// Source: moneyhub/moneyhub-api-client src/requests/users-and-connections.ts (registerUser user:create, getUser user:read, deleteUser user:delete), src/requests/payees.ts (addPayee payee:create, getPayees payee:read), src/requests/payments.ts (getPayments payment:read).
export const CLIENT_SCOPES = new Set([
  'user:create',
  'user:read',
  'user:delete',
  'payee:create',
  'payee:read',
  'payment:read',
  // Moneyhub's VRP page: "reading them requires the recurring_payment:read scope"; paying and revoking take recurring_payment:create (official client).
  'recurring_payment:read',
  'recurring_payment:create',
  // Official client 6.x, src/requests/recurring-payments.ts confirmFundsForRecurringPayment.
  'recurring_payment:funds_confirmation',
  // Official client, src/requests/users-and-connections.ts getUserConnections and getUserSyncs: connection:read, no sub.
  'connection:read',
  // Official client, src/requests/pay-links.ts getPayLink and getPayLinks: pay_link:read, no sub.
  'pay_link:read',
])

/** Moneyhub's data scopes, `…:write:all` included: client credentials may carry those, with sub. */
// Source: moneyhub/moneyhub-api-client src/requests/accounts.ts, transactions.ts, categories.ts, spending-analysis.ts, spending-goals.ts, savings-goals.ts (each call's scope). Assumption (project): transactions:read:in and transactions:read:out, which no call of the client asks for.
export const DATA_SCOPES = new Set([
  'accounts:read',
  'accounts_details:read',
  'accounts:write',
  'accounts:write:all',
  'transactions:read:all',
  'transactions:read:in',
  'transactions:read:out',
  'transactions:write',
  'transactions:write:all',
  'categories:read',
  'categories:write',
  'spending_analysis:read',
  'spending_goals:read',
  'spending_goals:write',
  'spending_goals:write:all',
  'savings_goals:read',
  'savings_goals:write',
  'savings_goals:write:all',
  // Official client, src/requests/accounts.ts getAccountStandingOrders: "accounts:read standing_orders:read", with sub.
  'standing_orders:read',
  // Official client (moneyhub/moneyhub-api-client), src/requests/accounts.ts getAccountStatements and
  // getAccountStatementsWithDetail: "accounts:read statements_basic:read" and "accounts:read statements_detail:read".
  'statements_basic:read',
  'statements_detail:read',
])

export interface ClientToken {
  clientId: string
  scopes: string[]
  /** The registered user whose data the token reads. */
  sub?: string
  expiresAt: number
}

export const clientTokens = new Map<string, ClientToken>()

/** The token endpoint's answer to grant_type=client_credentials. */
export function issueClientToken(clientId: string, form: Record<string, string>, ttlSeconds: number) {
  const scopes = (form.scope ?? '').split(' ').filter(Boolean)
  // Assumption (project): a client-credentials grant names its scope.
  if (!scopes.length) throw new OAuthError('invalid_scope', 'scope is required')
  for (const scope of scopes) {
    // Assumption (project): scopes outside these lists are unknown here (discovery's scopes_supported is Moneyhub's authority).
    if (!CLIENT_SCOPES.has(scope) && !DATA_SCOPES.has(scope)) throw new OAuthError('invalid_scope', `unknown scope: ${scope}`)
  }
  const data = scopes.filter((s) => DATA_SCOPES.has(s))
  // Source: moneyhub/moneyhub-api-client src/tokens.ts getClientCredentialTokens({ scope, sub }) and src/requests/accounts.ts getAccounts (userId → sub); for a user's data "The sub query parameter is required" (https://docs.moneyhubenterprise.com/docs/client-credentials-token).
  if (data.length && !form.sub) throw new OAuthError('invalid_request', 'data scopes need sub (a registered user)')
  // Assumption (project): a user id's shape.
  if (form.sub !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(form.sub)) throw new OAuthError('invalid_request', 'sub is not a user id')
  // Assumption (project): a client reads only its own registered users' data.
  if (data.length && users.get(form.sub!)?.clientId !== clientId) throw new OAuthError('invalid_request', 'sub is not a registered user')
  // Assumption (project): at most one transactions:read scope.
  if (data.filter((s) => s.startsWith('transactions:read:')).length > 1) {
    throw new OAuthError('invalid_scope', 'at most one transactions:read scope')
  }
  const accessToken = random(32)
  clientTokens.set(accessToken, { clientId, scopes, ...(form.sub ? { sub: form.sub } : {}), expiresAt: now() + ttlSeconds })
  return { access_token: accessToken, token_type: 'Bearer', expires_in: ttlSeconds, scope: scopes.join(' ') }
}

/** The client token a request carries, holding `scope`; 401/403 as a resource server answers (RFC 6750 §3.1). */
export function requireClientToken(c: Context, scope: string): ClientToken {
  const token = /^Bearer (\S+)$/.exec(c.req.header('authorization') ?? '')?.[1]
  const found = token ? clientTokens.get(token) : undefined
  // Assumption (project): RFC 6750 §3.1 answers (401 invalid_token, 403 insufficient_scope).
  if (!found || found.expiresAt <= now()) throw new OAuthError('invalid_token', 'the access token is unknown or expired', 401)
  if (!found.scopes.includes(scope)) throw new OAuthError('insufficient_scope', `the access token lacks ${scope}`, 403)
  return found
}
