/**
 * Moneyhub's two ways to a user's data, end to end against the mock, down to
 * reading accounts with the token the Worker handed out:
 *   1. data scopes on the connection, and the access token of GET /sessions/:id/tokens;
 *   2. a registered user (POST /users), a connection for them, and a data token (POST /tokens).
 * A token for one user never reads another user's data.
 */
import { describe, expect, it } from 'vitest'
import { backendJson, connectAccount, dataTokenRequest, MOCK_BANK_ID, readData, registerUser, remove, statusOf, tokenSet } from '../helpers'

interface Account {
  id: string
  connectionId: string
  accountName: string
  details?: { sortCodeAccountNumber?: string }
}
interface Transaction {
  accountId: string
  amount: { value: number }
}

const accountsWith = async (accessToken: string) => {
  const response = await readData('/accounts', accessToken)
  expect(response.status).toBe(200)
  return (await response.json<{ data: Account[] }>()).data
}
const transactionsWith = async (accessToken: string, query = '') => {
  const response = await readData(`/transactions${query}`, accessToken)
  expect(response.status).toBe(200)
  return (await response.json<{ data: Transaction[] }>()).data
}

/** Use case 2: a registered user with one bank connected; their data token. */
async function registeredUserWithBank(scopes = ['accounts:read', 'transactions:read:all']) {
  const userId = await registerUser()
  const { session } = await connectAccount({ bankId: MOCK_BANK_ID, userId })
  const status = await statusOf(session.id)
  expect(status).toMatchObject({ status: 'connected', userId })
  const response = await dataTokenRequest({ scopes, userId })
  expect(response.status).toBe(200)
  const token = await response.json<{ access_token: string; scope: string }>()
  return { userId, session, connectionId: status.connectionId as string, token }
}

describe('use case 1: data through the connection', () => {
  it('reads the accounts and transactions of the connection with the access token from GET /sessions/:id/tokens', async () => {
    const { session } = await connectAccount({ bankId: MOCK_BANK_ID, dataScopes: ['accounts:read', 'transactions:read:all'] })
    const { connectionId } = await statusOf(session.id)
    const { access_token, scope } = await tokenSet(session.id)
    expect(scope.split(' ')).toEqual(expect.arrayContaining(['accounts:read', 'transactions:read:all']))

    const accounts = await accountsWith(access_token)
    expect(accounts.map((a) => a.accountName).sort()).toEqual(['Credit Card', 'Current Account'])
    expect(accounts.every((a) => a.connectionId === connectionId)).toBe(true)
    expect(accounts[0]!.details).toBeUndefined() // account numbers need accounts_details:read
    const transactions = await transactionsWith(access_token)
    expect(transactions).toHaveLength(6)
    expect(new Set(transactions.map((t) => t.accountId))).toEqual(new Set(accounts.map((a) => a.id)))
  })

  it('reads what the scopes allow and nothing more', async () => {
    const { session } = await connectAccount({
      bankId: MOCK_BANK_ID,
      dataScopes: ['accounts:read', 'accounts_details:read', 'transactions:read:in'],
    })
    const { access_token } = await tokenSet(session.id)
    // The official client's AccountDetails (dist/schema/account.d.ts): sortCodeAccountNumber.
    expect((await accountsWith(access_token))[0]!.details).toMatchObject({ sortCodeAccountNumber: expect.stringMatching(/^\d{14}$/) })
    const incoming = await transactionsWith(access_token)
    expect(incoming.length).toBeGreaterThan(0)
    expect(incoming.every((t) => t.amount.value > 0)).toBe(true)

    const plain = await connectAccount({ bankId: MOCK_BANK_ID })
    const noData = await readData('/accounts', (await tokenSet(plain.session.id)).access_token)
    expect(noData.status).toBe(403)
    expect(await noData.json()).toMatchObject({ error: 'insufficient_scope' })
  })

  it('stops reading once the session is deleted (its tokens revoked upstream)', async () => {
    const { session } = await connectAccount({ bankId: MOCK_BANK_ID, dataScopes: ['accounts:read'] })
    const { access_token } = await tokenSet(session.id)
    expect((await readData('/accounts', access_token)).status).toBe(200)
    expect((await remove(session.id)).status).toBe(204)
    expect((await readData('/accounts', access_token)).status).toBe(401)
  })
})

describe('use case 2: registered users and data tokens', () => {
  it('creates a user, connects a bank for them, and reads their accounts with a data token from POST /tokens', async () => {
    const { session, connectionId, token } = await registeredUserWithBank()
    expect(token.scope).toBe('accounts:read transactions:read:all')
    // The connection's own access token carries no data scopes.
    expect((await readData('/accounts', (await tokenSet(session.id)).access_token)).status).toBe(403)

    const accounts = await accountsWith(token.access_token)
    expect(accounts).toHaveLength(2)
    expect(accounts.every((a) => a.connectionId === connectionId)).toBe(true)
    expect(await transactionsWith(token.access_token, `?accountId=${accounts[0]!.id}`)).toHaveLength(3)
  })

  it('a data token without transactions scope reads accounts but not transactions', async () => {
    const { token } = await registeredUserWithBank(['accounts:read'])
    expect(await accountsWith(token.access_token)).toHaveLength(2)
    expect((await readData('/transactions', token.access_token)).status).toBe(403)
  })

  it('a client-level token reads no user data', async () => {
    const response = await dataTokenRequest({ scopes: ['user:read'] })
    expect(response.status).toBe(200)
    expect((await readData('/accounts', (await response.json<{ access_token: string }>()).access_token)).status).toBe(403)
  })

  it('refuses a data token for a user Moneyhub does not know: 400, nothing cached', async () => {
    const response = await dataTokenRequest({ scopes: ['accounts:read'], userId: 'aaaaaaaaaaaaaaaaaaaaaaaa' })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ error: 'token_request_rejected' })
  })
})

describe("a token for one user never reads another user's data", () => {
  it('holds for data tokens of registered users', async () => {
    const alice = await registeredUserWithBank()
    const bob = await registeredUserWithBank()
    const aliceAccounts = await accountsWith(alice.token.access_token)
    const bobAccounts = await accountsWith(bob.token.access_token)
    const bobIds = new Set(bobAccounts.map((a) => a.id))
    expect(aliceAccounts.some((a) => bobIds.has(a.id))).toBe(false)
    // Asking for Bob's account or transactions by id with Alice's token finds nothing.
    expect((await readData(`/accounts/${bobAccounts[0]!.id}`, alice.token.access_token)).status).toBe(404)
    expect((await readData(`/accounts/${bobAccounts[0]!.id}`, bob.token.access_token)).status).toBe(200)
    expect(await transactionsWith(alice.token.access_token, `?accountId=${bobAccounts[0]!.id}`)).toEqual([])
  })

  it('holds for connection tokens, and across the two use cases', async () => {
    const one = await connectAccount({ bankId: MOCK_BANK_ID, dataScopes: ['accounts:read', 'transactions:read:all'] })
    const two = await connectAccount({ bankId: MOCK_BANK_ID, dataScopes: ['accounts:read', 'transactions:read:all'] })
    const registered = await registeredUserWithBank()
    const tokens = [
      (await tokenSet(one.session.id)).access_token,
      (await tokenSet(two.session.id)).access_token,
      registered.token.access_token,
    ]
    const seen = await Promise.all(tokens.map(async (t) => (await accountsWith(t)).map((a) => a.id)))
    const all = seen.flat()
    expect(new Set(all).size).toBe(all.length)
    for (const ids of seen) expect(ids).toHaveLength(2)
  })

  it('a deleted user is gone from the data API too', async () => {
    const { userId, token } = await registeredUserWithBank()
    expect((await backendJson('DELETE', `/users/${userId}`)).status).toBe(204)
    expect(await accountsWith(token.access_token)).toEqual([])
  })
})
