/**
 * POST /tokens: the identity server's discovery document (scopes_supported)
 * says which scopes exist; the Worker's own rules say only what may go
 * together. A scope the identity server lists that the Worker has no list
 * entry for is asked for; one it does not list is a 400 naming it.
 */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import worker from '../../src/index'
import { backendAuth, clientCredentialGrants, dataTokenRequest, expectRefusal, mockOrigin, registerUser } from '../helpers'

describe('POST /tokens and scopes_supported', () => {
  it('grants a client-level scope the identity server lists (pay_link:read, from the official client)', async () => {
    const response = await dataTokenRequest({ scopes: ['pay_link:read'] })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ scope: 'pay_link:read', token_type: 'Bearer' })
    expect((await clientCredentialGrants()).some((g) => g.params.scope === 'pay_link:read')).toBe(true)
  })

  it.each([['recurring_payment:read'], ['recurring_payment:create'], ['connection:read']])('grants %s', async (scope) => {
    const response = await dataTokenRequest({ scopes: [scope] })
    expect(response.status).toBe(200)
  })

  it("grants a user's data scope the identity server lists (standing_orders:read, with userId)", async () => {
    const userId = await registerUser()
    const response = await dataTokenRequest({ scopes: ['accounts:read', 'standing_orders:read'], userId })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ scope: 'accounts:read standing_orders:read' })
  })

  it('refuses a scope the identity server does not list: 400 invalid_scope naming it', async () => {
    const response = await dataTokenRequest({ scopes: ['pay_link:read', 'made_up:read'] })
    // invalid_scope's message names the scope refused (src/errors.ts).
    expect((await expectRefusal(response, 'invalid_scope')).message).toContain('made_up:read')
  })

  it("refuses a data scope another issuer's discovery does not list, though the Worker knows it", async () => {
    const userId = await registerUser()
    const ctx = createExecutionContext()
    const response = await worker.fetch(
      new Request('http://proxy.test/tokens', {
        method: 'POST',
        headers: { ...backendAuth(), 'content-type': 'application/json' },
        body: JSON.stringify({ scopes: ['savings_goals:read'], userId }),
      }),
      { ...env, MONEYHUB_ISSUER: `${mockOrigin()}/nopar/oidc` },
      ctx,
    )
    await waitOnExecutionContext(ctx)
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ error: 'invalid_scope', message: expect.stringContaining('savings_goals:read') })
  })

  it.each([
    ['openid', 'openid'],
    ['a bank selector', 'id:all'],
    ['a payment flow', 'payment'],
  ])('keeps its own rules: %s is not a token scope', async (_, scope) => {
    const response = await dataTokenRequest({ scopes: [scope] })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ error: 'invalid_scope', message: expect.stringContaining(scope) })
  })
})
