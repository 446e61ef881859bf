/** Registered users (use case 2): POST /users, GET and DELETE /users/:userId, backend key only, each a client-credentials grant then the identity server. */
import { createExecutionContext, env, SELF, waitOnExecutionContext } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { ConfigError, readConfig } from '../../src/config'
import worker from '../../src/index'
import { forgetClientTokens } from '../../src/oidc/identity'
import { backendAuth, backendJson, claimsOf, clientCredentialGrants, expectRefusal, ISSUER, mockOrigin } from '../helpers'

describe('registered users', () => {
  it('creates a user with a client-credentials grant (user:create, fresh client assertion), then POST {identity}/users', async () => {
    forgetClientTokens() // as a new isolate: other test files may have left a user:create token cached in this one
    const before = (await clientCredentialGrants()).length
    const response = await backendJson('POST', '/users', { clientUserId: 'app-user-42' })
    expect(response.status).toBe(201)
    const user = await response.json<{ userId: string; clientUserId: string }>()
    expect(user).toMatchObject({ userId: expect.stringMatching(/^[0-9a-f]{24}$/), clientUserId: 'app-user-42' })
    const grants = (await clientCredentialGrants()).slice(before)
    const grant = grants.find((g) => g.params.scope === 'user:create')!
    expect(grant.params.sub).toBeUndefined()
    expect(claimsOf(grant.params.client_assertion!)).toMatchObject({ aud: `${ISSUER()}/token` })

    const read = await backendJson('GET', `/users/${user.userId}`)
    expect(read.status).toBe(200)
    expect(await read.json()).toMatchObject({ userId: user.userId, clientUserId: 'app-user-42' })
    expect((await clientCredentialGrants()).some((g) => g.params.scope === 'user:read')).toBe(true)

    expect((await backendJson('DELETE', `/users/${user.userId}`)).status).toBe(204)
    expect((await clientCredentialGrants()).some((g) => g.params.scope === 'user:delete')).toBe(true)
    const gone = await backendJson('GET', `/users/${user.userId}`)
    expect(gone.status).toBe(404)
    expect(await gone.json()).toMatchObject({ error: 'user_not_found' })
    expect((await backendJson('DELETE', `/users/${user.userId}`)).status).toBe(404)
  })

  it('creates a user without a clientUserId', async () => {
    const response = await backendJson('POST', '/users', {})
    expect(response.status).toBe(201)
    // The official client's User (dist/schema/user.d.ts): clientUserId is optional, and absent here.
    const user = await response.json<Record<string, unknown>>()
    expect(user).toMatchObject({ userId: expect.any(String) })
    expect(user.clientUserId ?? null).toBeNull()
  })

  it('is for the backend key only: 401 without it or with a wrong one', async () => {
    for (const headers of [{} as Record<string, string>, { authorization: 'Bearer wrong-key-wrong-key' }]) {
      expect((await backendJson('POST', '/users', {}, headers)).status).toBe(401)
      expect((await backendJson('GET', '/users/abc', undefined, headers)).status).toBe(401)
      expect((await backendJson('DELETE', '/users/abc', undefined, headers)).status).toBe(401)
    }
  })

  it('refuses bad input with 400 and a non-JSON body with 415', async () => {
    expect((await backendJson('POST', '/users', { clientUserId: '' })).status).toBe(400)
    expect((await backendJson('POST', '/users', { clientUserId: 'x', extra: 1 })).status).toBe(400)
    expect((await backendJson('GET', '/users/not%20an%20id')).status).toBe(400)
    const form = await SELF.fetch('http://proxy.test/users', {
      method: 'POST',
      headers: { ...backendAuth(), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'clientUserId=x',
    })
    expect(form.status).toBe(415)
  })

  it('answers 502 with a code, never a stack, when the identity server fails', async () => {
    // An identity base that answers nothing useful: the issuer itself has no /users.
    const broken = { ...env, MONEYHUB_IDENTITY_URL: `${mockOrigin()}/oidc` }
    const ctx = createExecutionContext()
    const response = await worker.fetch(
      new Request('http://proxy.test/users', {
        method: 'POST',
        headers: { ...backendAuth(), 'content-type': 'application/json' },
        body: '{}',
      }),
      broken,
      ctx,
    )
    await waitOnExecutionContext(ctx)
    await expectRefusal(response, 'identity_request_failed')
  })

  it('finds the identity server at the issuer without /oidc, unless MONEYHUB_IDENTITY_URL says otherwise', async () => {
    expect((await readConfig({ ...env, MONEYHUB_ISSUER: 'https://identity.moneyhub.co.uk/oidc' })).identityUrl).toBe(
      'https://identity.moneyhub.co.uk',
    )
    expect((await readConfig({ ...env, MONEYHUB_IDENTITY_URL: 'https://id.example.com/base/' })).identityUrl).toBe(
      'https://id.example.com/base',
    )
    const refused = await readConfig({ ...env, MONEYHUB_IDENTITY_URL: 'http://id.example.com' }).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(ConfigError)
    expect(refused).toMatchObject({ problems: [{ variable: 'MONEYHUB_IDENTITY_URL' }] })
  })
})
