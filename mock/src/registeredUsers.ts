/**
 * Moneyhub's registered users at the identity server's base ({origin}, the
 * issuer without /oidc): POST /users (user:create), GET and DELETE
 * /users/:userId (user:read, user:delete), each with a client-credentials
 * token. Also what each user has connected, which the data API (data.ts) reads.
 */
import type { AccountWithDetails } from '@mft/moneyhub-api-client/dist/schema/account'
import type { Amount } from '@mft/moneyhub-api-client/dist/schema/amount'
import type { Transaction as DeclaredTransaction } from '@mft/moneyhub-api-client/dist/schema/transaction'
import type { User } from '@mft/moneyhub-api-client/dist/schema/user'
import { Hono } from 'hono'
import { requireClientToken } from './clientCredentials'
import { hex, OAuthError } from './oauth'
import { shaped } from './recordShapes'

/**
 * A registered user as the official client declares what registerUser and getUser answer: `User` (5.2.1,
 * node_modules/@mft/moneyhub-api-client dist/schema/user.d.ts; the same in 6.x, moneyhub/moneyhub-api-client
 * src/schema/user.ts). `connectionIds` is filled in when it is answered (userView).
 */
export type RegisteredUser = User

/**
 * An account as the official client declares getAccountsWithDetails' items: `AccountWithDetails` (5.2.1,
 * dist/schema/account.d.ts; 6.x src/schema/account.ts); without accounts_details:read, `Account` (data.ts drops
 * `details`). Amounts are `Amount`s (dist/schema/amount.d.ts).
 */
export type Account = AccountWithDetails & { connectionId: string }

/** A transaction as the official client declares getTransactions' items: `Transaction` (5.2.1, dist/schema/transaction.d.ts; 6.x src/schema/transaction.ts). */
export type Transaction = DeclaredTransaction & { accountId: string }

/**
 * Pence as the official client's `Amount`. Assumption (project): `value` in minor units (pence), as Moneyhub's data
 * API shows balances; majorUnits the pounds and minorUnits the pence beside them (of the absolute value).
 */
const gbp = (pence: number): Amount => ({
  value: pence,
  majorUnits: Math.sign(pence) * Math.floor(Math.abs(pence) / 100),
  minorUnits: Math.abs(pence) % 100,
  currency: 'GBP',
})

/** A user's bank connection, with the accounts and transactions the "bank" has for it. */
export interface UserConnection {
  id: string
  bankId?: string
  accounts: Account[]
  transactions: Transaction[]
}

export const users = new Map<string, RegisteredUser>()
export const connections = new Map<string, UserConnection[]>()

/** Assumption (project): a user the client registers is its own (managedBy client), a test user, with no scopes granted yet. */
export function registerUser(clientId: string, clientUserId?: string, userId = hex(12)): RegisteredUser {
  const at = new Date().toISOString()
  const user: RegisteredUser = {
    userId,
    clientId,
    ...(clientUserId ? { clientUserId } : {}),
    createdAt: at,
    updatedAt: at,
    scopes: '',
    managedBy: 'client',
    lastAccessed: at,
    userType: 'test',
    connectionIds: [],
  }
  users.set(userId, user)
  return user
}

/** The user as answered: its connections as they are now. */
const userView = (user: RegisteredUser) =>
  ({ ...user, connectionIds: (connections.get(user.userId) ?? []).map((c) => c.id) }) satisfies User

/** At consent: the connection `conId` of `sub` now holds two accounts and a few transactions in and out. */
// Assumption (project): what the mock bank holds for a connection (two accounts, a few transactions).
export function recordConnection(sub: string, conId: string, bankId?: string) {
  const list = connections.get(sub) ?? []
  if (list.some((c) => c.id === conId)) return
  const day = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10)
  const now = new Date().toISOString()
  const account = (accountName: string, type: Account['type'], value: number): Account => ({
    id: hex(12),
    accountName,
    currency: 'GBP',
    type,
    providerName: 'Moneyhub Open Banking Mock',
    connectionId: conId,
    dateModified: now,
    balance: { amount: gbp(value), date: day(0) },
    // AccountDetails (dist/schema/account.d.ts): sortCodeAccountNumber, the sort code's 6 digits and the account's 8.
    details: { sortCodeAccountNumber: `010203${10_000_000 + Math.floor(Math.random() * 89_999_999)}` },
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
      amount: gbp(value as number),
      date: day(i + 1),
      dateModified: now,
      shortDescription: description as string,
      longDescription: description as string,
      notes: '',
      // Assumption (project): a placeholder, not one of Moneyhub's category ids; the mock categorises nothing.
      categoryId: 'std:mock-uncategorised',
      categoryIdConfirmed: false,
      proprietaryTransactionCode: { code: '' },
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
      // Source: moneyhub/moneyhub-api-client src/requests/users-and-connections.ts registerUser (POST {identity}/users, user:create, { clientUserId }). Assumption (project): clientUserId, when given, is a non-empty string.
      const token = requireClientToken(c, 'user:create')
      const body = (await c.req.json().catch(() => undefined)) as { clientUserId?: unknown } | undefined
      if (!body || typeof body !== 'object') throw new OAuthError('invalid_request', 'the body must be a JSON object')
      if (body.clientUserId !== undefined && (typeof body.clientUserId !== 'string' || !body.clientUserId))
        throw new OAuthError('invalid_request', 'clientUserId must be a non-empty string')
      const user = registerUser(token.clientId, body.clientUserId as string | undefined)
      return c.json(shaped(userView(user), 'bare', user.clientUserId, user.userId), 201)
    })
    .get('/users/:userId', (c) => {
      // Source: moneyhub/moneyhub-api-client src/requests/users-and-connections.ts getUser (user:read). Assumption (project): another client's user is 404.
      const token = requireClientToken(c, 'user:read')
      const user = users.get(c.req.param('userId'))
      if (!user || user.clientId !== token.clientId) return c.json({ error: 'not_found' }, 404)
      return c.json(shaped(userView(user), 'bare', user.userId))
    })
    .delete('/users/:userId', (c) => {
      // Source: moneyhub/moneyhub-api-client src/requests/users-and-connections.ts deleteUser (user:delete). Assumption (project): another client's user is 404.
      const token = requireClientToken(c, 'user:delete')
      const userId = c.req.param('userId')
      const user = USER_ID.test(userId) ? users.get(userId) : undefined
      if (!user || user.clientId !== token.clientId) return c.json({ error: 'not_found' }, 404)
      users.delete(userId)
      connections.delete(userId)
      return c.body(null, 204)
    })
}
