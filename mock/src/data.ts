/**
 * A small Moneyhub data API (https://api.moneyhub.co.uk/v2.0), mounted at
 * {origin}/data/v2.0: GET /accounts, /accounts/:id, /transactions. It believes
 * a bearer token the way Moneyhub's would:
 *   - an authorization-code access token: a JWT this server signed and still
 *     knows (not revoked), carrying `scope` and `sub`;
 *   - a client-credentials token with `sub` (clientCredentials.ts).
 * Every answer holds only the token's user's data: another user's account is 404.
 * accounts need accounts:read (account numbers also accounts_details:read);
 * transactions need one transactions:read:* scope (in / out filter by sign).
 */
import { Hono, type Context } from 'hono'
import { createLocalJWKSet, jwtVerify } from 'jose'
import { clientTokens } from './clientCredentials'
import { publishedKeys } from './keys'
import { OAuthError } from './oauth'
import { connections, type Account } from './registeredUsers'
import { accessTokens, now } from './state'

interface Bearer {
  sub: string
  scopes: string[]
}

async function bearer(c: Context): Promise<Bearer> {
  const token = /^Bearer (\S+)$/.exec(c.req.header('authorization') ?? '')?.[1]
  if (!token) throw new OAuthError('invalid_token', 'a bearer token is required', 401)
  // Source: moneyhub/moneyhub-api-client src/requests/accounts.ts getAccounts and friends (a client-credentials token for the user's sub); "The sub query parameter is required" (https://docs.moneyhubenterprise.com/docs/client-credentials-token).
  const client = clientTokens.get(token)
  if (client) {
    if (client.expiresAt <= now()) throw new OAuthError('invalid_token', 'the access token has expired', 401)
    if (!client.sub) throw new OAuthError('insufficient_scope', 'a client token without sub reads no user data', 403)
    return { sub: client.sub, scopes: client.scopes }
  }
  // Source: Moneyhub's Auth API overview, use case 1: the access tokens it issues "can be used to gain access to financial data via our API Gateway" (https://moneyhub.github.io/api-docs/). Assumption (project): a revoked grant reads nothing.
  const grant = accessTokens.get(token)
  if (!grant || grant.revoked) throw new OAuthError('invalid_token', 'the access token is unknown or revoked', 401)
  try {
    const { payload } = await jwtVerify(token, createLocalJWKSet({ keys: await publishedKeys() }), { requiredClaims: ['sub', 'exp'] })
    return { sub: payload.sub!, scopes: String(payload.scope ?? '').split(' ') }
  } catch {
    throw new OAuthError('invalid_token', 'the access token is not valid', 401)
  }
}

function need(token: Bearer, test: (scope: string) => boolean, what: string) {
  if (!token.scopes.some(test)) throw new OAuthError('insufficient_scope', `the access token lacks ${what}`, 403)
}

const accountsOf = (sub: string) => (connections.get(sub) ?? []).flatMap((c) => c.accounts)
const view = (token: Bearer, account: Account) => {
  const { details, ...rest } = account
  // Source: moneyhub/moneyhub-api-client src/requests/accounts.ts getAccountsWithDetails (accounts:read accounts_details:read).
  return token.scopes.includes('accounts_details:read') ? account : rest
}

export function dataApi() {
  return new Hono()
    .onError((error, c) => {
      if (error instanceof OAuthError) {
        c.header('www-authenticate', `Bearer error="${error.error}"`)
        return c.json({ error: error.error, error_description: error.description }, error.status)
      }
      console.error(error)
      return c.json({ error: 'server_error' }, 500)
    })
    .get('/accounts', async (c) => {
      // Source: moneyhub/moneyhub-api-client src/requests/accounts.ts getAccounts (GET /accounts, accounts:read).
      const token = await bearer(c)
      need(token, (s) => s === 'accounts:read', 'accounts:read')
      const data = accountsOf(token.sub).map((a) => view(token, a))
      return c.json({ data, links: { self: c.req.url }, meta: { userId: token.sub } })
    })
    .get('/accounts/:accountId', async (c) => {
      // Source: moneyhub/moneyhub-api-client src/requests/accounts.ts getAccount (accounts:read). Assumption (project): another user's account is 404.
      const token = await bearer(c)
      need(token, (s) => s === 'accounts:read', 'accounts:read')
      const account = accountsOf(token.sub).find((a) => a.id === c.req.param('accountId'))
      if (!account) return c.json({ error: 'not_found' }, 404)
      return c.json({ data: view(token, account), meta: { userId: token.sub } })
    })
    .get('/transactions', async (c) => {
      // Source: moneyhub/moneyhub-api-client src/requests/transactions.ts getTransactions (transactions:read:all). Assumption (project): :in and :out filter by the amount's sign.
      const token = await bearer(c)
      need(token, (s) => s.startsWith('transactions:read:'), 'a transactions:read scope')
      const direction = token.scopes.find((s) => s.startsWith('transactions:read:'))!.slice('transactions:read:'.length)
      const accountId = c.req.query('accountId')
      const all = (connections.get(token.sub) ?? []).flatMap((con) => con.transactions)
      const data = all.filter(
        (t) =>
          (!accountId || t.accountId === accountId) &&
          (direction === 'all' || (direction === 'in' ? t.amount.value > 0 : t.amount.value < 0)),
      )
      return c.json({ data, links: { self: c.req.url }, meta: { userId: token.sub } })
    })
}
