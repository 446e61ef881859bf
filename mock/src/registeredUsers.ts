/**
 * Moneyhub's registered users at the identity server's base ({origin}, the
 * issuer without /oidc): POST /users (user:create), GET and DELETE
 * /users/:userId (user:read, user:delete), each with a client-credentials
 * token. Also what each user has connected, which the data API (data.ts) reads.
 */
import { Hono } from 'hono'
import { requireClientToken } from './clientCredentials'
import { hex, OAuthError } from './oauth'
import { shaped } from './recordShapes'

export interface RegisteredUser {
  userId: string
  clientId: string
  clientUserId: string | null
  createdAt: string
}

export interface Account {
  id: string
  accountName: string
  type: string
  providerName: string
  connectionId: string
  balance: { amount: { value: number; currency: 'GBP' }; date: string }
  details: { accountNumber: string; sortCode: string }
}

export interface Transaction {
  id: string
  accountId: string
  amount: { value: number; currency: 'GBP' }
  date: string
  description: string
  status: 'posted'
}

/** A user's bank connection, with the accounts and transactions the "bank" has for it. */
export interface UserConnection {
  id: string
  bankId?: string
  accounts: Account[]
  transactions: Transaction[]
}

export const users = new Map<string, RegisteredUser>()
export const connections = new Map<string, UserConnection[]>()

export function registerUser(clientId: string, clientUserId?: string, userId = hex(12)): RegisteredUser {
  const user = { userId, clientId, clientUserId: clientUserId ?? null, createdAt: new Date().toISOString() }
  users.set(userId, user)
  return user
}

/** At consent: the connection `conId` of `sub` now holds two accounts and a few transactions in and out. */
// Assumption (project): what the mock bank holds for a connection (two accounts, a few transactions).
export function recordConnection(sub: string, conId: string, bankId?: string) {
  const list = connections.get(sub) ?? []
  if (list.some((c) => c.id === conId)) return
  const day = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10)
  const account = (accountName: string, type: string, value: number): Account => ({
    id: hex(12),
    accountName,
    type,
    providerName: 'Moneyhub Open Banking Mock',
    connectionId: conId,
    balance: { amount: { value, currency: 'GBP' }, date: day(0) },
    details: { accountNumber: String(10_000_000 + Math.floor(Math.random() * 89_999_999)), sortCode: '010203' },
  })
  const accounts = [account('Current Account', 'cash:current', 123_456), account('Credit Card', 'card', -4_321)]
  const transactions: Transaction[] = accounts.flatMap((a) =>
    [
      [250_000, 'Salary'],
      [-1_299, 'Groceries'],
      [-4_500, 'Rail fare'],
    ].map(([value, description], i) => ({
      id: hex(12),
      accountId: a.id,
      amount: { value: value as number, currency: 'GBP' as const },
      date: day(i + 1),
      description: description as string,
      status: 'posted' as const,
    })),
  )
  list.push({ id: conId, ...(bankId ? { bankId } : {}), accounts, transactions })
  connections.set(sub, list)
}

const USER_ID = /^[A-Za-z0-9_-]{1,64}$/

export function identityApi() {
  return new Hono()
    .onError((error, c) => {
      if (error instanceof OAuthError) return c.json({ error: error.error, error_description: error.description }, error.status)
      console.error(error)
      return c.json({ error: 'server_error' }, 500)
    })
    .post('/users', async (c) => {
      // Source: @mft/moneyhub-api-client src/requests/users-and-connections.ts registerUser (POST {identity}/users, user:create, { clientUserId }). Assumption (project): clientUserId, when given, is a non-empty string.
      const token = requireClientToken(c, 'user:create')
      const body = (await c.req.json().catch(() => undefined)) as { clientUserId?: unknown } | undefined
      if (!body || typeof body !== 'object') throw new OAuthError('invalid_request', 'the body must be a JSON object')
      if (body.clientUserId !== undefined && (typeof body.clientUserId !== 'string' || !body.clientUserId))
        throw new OAuthError('invalid_request', 'clientUserId must be a non-empty string')
      const user = registerUser(token.clientId, body.clientUserId as string | undefined)
      return c.json(shaped(user, 'bare', user.clientUserId ?? undefined, user.userId), 201)
    })
    .get('/users/:userId', (c) => {
      // Source: @mft/moneyhub-api-client src/requests/users-and-connections.ts getUser (user:read). Assumption (project): another client's user is 404.
      const token = requireClientToken(c, 'user:read')
      const user = users.get(c.req.param('userId'))
      if (!user || user.clientId !== token.clientId) return c.json({ error: 'not_found' }, 404)
      return c.json(shaped(user, 'bare', user.userId))
    })
    .delete('/users/:userId', (c) => {
      // Source: @mft/moneyhub-api-client src/requests/users-and-connections.ts deleteUser (user:delete). Assumption (project): another client's user is 404.
      const token = requireClientToken(c, 'user:delete')
      const userId = c.req.param('userId')
      const user = USER_ID.test(userId) ? users.get(userId) : undefined
      if (!user || user.clientId !== token.clientId) return c.json({ error: 'not_found' }, 404)
      users.delete(userId)
      connections.delete(userId)
      return c.body(null, 204)
    })
}
