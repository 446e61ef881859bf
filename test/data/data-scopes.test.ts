/** Data scopes on a connection (POST /sessions dataScopes, categoryType) and for data tokens (POST /tokens): one set of rules, every refusal a 400 naming the scope. */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import worker from '../../src/index'
import {
  backendAuth,
  connectAccount,
  dataTokenRequest,
  mockOrigin,
  pushedRequestFor,
  registerUser,
  startSession,
  statusOf,
  tokenSet,
  browser,
} from '../helpers'

const start = (body: Record<string, unknown>) => startSession({ bankId: 'abc', ...body })

describe('POST /sessions with dataScopes', () => {
  it('puts the data scopes into the authorisation request, and mh:cat_type from categoryType; the token set shows what was granted', async () => {
    const { session, response } = await connectAccount({
      bankId: 'abc',
      dataScopes: ['transactions:read:all', 'accounts:read'],
      categoryType: 'business',
    })
    expect(response.ok).toBe(true)
    expect((await statusOf(session.id)).status).toBe('connected')
    const set = await tokenSet(session.id)
    expect(set.scope.split(' ').sort()).toEqual(['accounts:read', 'id:abc', 'openid', 'transactions:read:all'])
    expect(((await statusOf(session.id)).scope as string).split(' ')).toContain('accounts:read')
  })

  it('sends them in the pushed request, beside the bank selector', async () => {
    const response = await start({ dataScopes: ['accounts:read', 'transactions:read:in', 'transactions:write'], categoryType: 'personal' })
    expect(response.status).toBe(201)
    const { authorizeUrl } = await response.json<{ authorizeUrl: string }>()
    const pushed = await pushedRequestFor(await browser.launch(authorizeUrl))
    expect(pushed.params.scope).toBe('openid id:abc accounts:read transactions:read:in transactions:write')
    expect(JSON.parse(pushed.params.claims!).id_token['mh:cat_type']).toEqual({ essential: true, value: 'personal' })
  })

  const refused: [string, Record<string, unknown>, string][] = [
    ['two transactions read scopes', { dataScopes: ['transactions:read:all', 'transactions:read:in'] }, 'transactions:read:in'],
    [
      'three transactions read scopes',
      { dataScopes: ['transactions:read:out', 'transactions:read:in', 'transactions:read:all'] },
      'transactions:read:in',
    ],
    ['transactions:write alone', { dataScopes: ['transactions:write'] }, 'transactions:write'],
    ['transactions:write beside accounts only', { dataScopes: ['accounts:read', 'transactions:write'] }, 'transactions:write'],
    ['accounts:write:all', { dataScopes: ['accounts:read', 'accounts:write:all'] }, 'accounts:write:all'],
    ['transactions:write:all', { dataScopes: ['transactions:read:all', 'transactions:write:all'] }, 'transactions:write:all'],
    ['spending_goals:write:all', { dataScopes: ['spending_goals:write:all'] }, 'spending_goals:write:all'],
    ['savings_goals:write:all', { dataScopes: ['savings_goals:write:all'] }, 'savings_goals:write:all'],
    ['a client-level scope', { dataScopes: ['user:create'] }, 'user:create'],
    ['payment:read', { dataScopes: ['accounts:read', 'payment:read'] }, 'payment:read'],
    ['an unknown scope', { dataScopes: ['accounts:delete'] }, 'accounts:delete'],
    ['openid as a data scope', { dataScopes: ['openid'] }, 'openid'],
    ['a bank selector as a data scope', { dataScopes: ['id:all'] }, 'id:all'],
    ['offline_access as a data scope', { dataScopes: ['offline_access'] }, 'offline_access'],
    ['a scope twice', { dataScopes: ['accounts:read', 'accounts:read'] }, 'accounts:read'],
  ]
  it.each(refused)('refuses %s: 400 invalid_scope naming it', async (_, body, scope) => {
    const response = await start(body)
    expect(response.status).toBe(400)
    const answer = await response.json<{ error: string; message: string }>()
    expect(answer.error).toBe('invalid_scope')
    expect(answer.message).toContain(scope)
  })

  it.each([
    ['an empty list', { dataScopes: [] }],
    ['a scope that is not a string', { dataScopes: [1] }],
    ['a scope with a space', { dataScopes: ['accounts:read transactions:read:all'] }],
    [
      'data scopes with an action',
      { bankId: undefined, userId: 'u1', connectionId: 'abc:c1', action: 'reauth', dataScopes: ['accounts:read'] },
    ],
    ['an unknown category type', { categoryType: 'charity' }],
  ])('refuses %s: 400', async (_, body) => {
    const response = await start(body)
    expect(response.status).toBe(400)
    expect((await response.json<{ error: string }>()).error).toBe('invalid_request')
  })

  it("refuses a scope the issuer's discovery document does not list", async () => {
    // The mock's second issuer stands for a deployment without the goals scopes.
    const noGoals = { ...env, MONEYHUB_ISSUER: `${mockOrigin()}/nopar/oidc` }
    const post = async (dataScopes: string[]) => {
      const ctx = createExecutionContext()
      const response = await worker.fetch(
        new Request('http://proxy.test/sessions', {
          method: 'POST',
          headers: { ...backendAuth(), 'content-type': 'application/json' },
          body: JSON.stringify({ bankId: 'abc', dataScopes }),
        }),
        noGoals,
        ctx,
      )
      await waitOnExecutionContext(ctx)
      return response
    }
    const refusedHere = await post(['accounts:read', 'savings_goals:read'])
    expect(refusedHere.status).toBe(400)
    expect(await refusedHere.json()).toMatchObject({ error: 'invalid_scope', message: expect.stringContaining('savings_goals:read') })
    expect((await post(['accounts:read'])).status).toBe(201)
    // The first issuer lists it.
    expect((await start({ dataScopes: ['savings_goals:read'] })).status).toBe(201)
  })
})

describe('POST /tokens: the same rules, with …:write:all allowed for a registered user', () => {
  const refused: [string, Record<string, unknown>, string][] = [
    ['data scopes without userId', { scopes: ['accounts:read'] }, 'accounts:read'],
    ['a client-level scope with userId', { scopes: ['user:create'], userId: 'USER' }, 'user:create'],
    ['client and data scopes together', { scopes: ['accounts:read', 'payee:read'], userId: 'USER' }, 'payee:read'],
    ['client and data scopes together, without userId', { scopes: ['payee:read', 'accounts:read'] }, 'accounts:read'],
    [
      'two transactions read scopes',
      { scopes: ['transactions:read:all', 'transactions:read:out'], userId: 'USER' },
      'transactions:read:out',
    ],
    ['transactions:write alone', { scopes: ['transactions:write'], userId: 'USER' }, 'transactions:write'],
    ['an unknown scope', { scopes: ['accounts:read', 'bogus:read'], userId: 'USER' }, 'bogus:read'],
    ['a write:all scope without userId', { scopes: ['accounts:write:all'] }, 'accounts:write:all'],
    ['a scope twice', { scopes: ['user:read', 'user:read'] }, 'user:read'],
  ]
  it.each(refused)('refuses %s: 400 invalid_scope naming it', async (_, body, scope) => {
    const userId = await registerUser()
    const response = await dataTokenRequest(JSON.parse(JSON.stringify(body).replace('"USER"', JSON.stringify(userId))))
    expect(response.status).toBe(400)
    const answer = await response.json<{ error: string; message: string }>()
    expect(answer.error).toBe('invalid_scope')
    expect(answer.message).toContain(scope)
  })

  it.each([
    ['no scopes', { scopes: [] }],
    ['a bad userId', { scopes: ['accounts:read'], userId: 'not a user id' }],
    ['an unknown member', { scopes: ['user:read'], sub: 'x' }],
  ])('refuses %s: 400 invalid_request', async (_, body) => {
    const response = await dataTokenRequest(body)
    expect(response.status).toBe(400)
    expect((await response.json<{ error: string }>()).error).toBe('invalid_request')
  })

  it('allows …:write:all for a registered user, and client-level scopes without one', async () => {
    const userId = await registerUser()
    const writeAll = await dataTokenRequest({ scopes: ['accounts:read', 'accounts:write:all'], userId })
    expect(writeAll.status).toBe(200)
    expect((await writeAll.json<{ scope: string }>()).scope).toBe('accounts:read accounts:write:all')
    const client = await dataTokenRequest({ scopes: ['payee:read', 'payment:read'] })
    expect(client.status).toBe(200)
  })
})
