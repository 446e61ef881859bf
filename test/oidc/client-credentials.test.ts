import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { getConfig } from '../../src/config'
import { requestClientToken } from '../../src/oidc/clientCredentials'
import { TokenRequestRejected } from '../../src/oidc/tokenExchange'
import { claimsOf, ISSUER, mockOrigin, mockRequests } from '../helpers'

const tokenEndpoint = () => `${ISSUER()}/token`

describe('client credentials grant (RFC 6749 §4.4) with private_key_jwt', () => {
  it('gets a client-level token with a fresh client assertion', async () => {
    const config = await getConfig(env)
    const before = Date.now() / 1000
    const token = await requestClientToken(config, tokenEndpoint(), { scope: 'user:create' })
    expect(token).toMatchObject({ token_type: 'Bearer', scope: 'user:create' })
    expect(token.expires_at).toBeGreaterThan(before)

    // The grant that issued this token (other projects' Workers use the mock at the same time).
    const last = (await mockRequests()).find((r) => r.endpoint === 'token' && r.answer?.access_token === token.access_token)!
    expect(last.params).toMatchObject({ scope: 'user:create', client_id: config.clientId })
    expect(last.params.sub).toBeUndefined()
    expect(claimsOf(last.params.client_assertion!)).toMatchObject({ iss: config.clientId, sub: config.clientId, aud: tokenEndpoint() })
  })

  it('names the registered user with sub for data scopes', async () => {
    const config = await getConfig(env)
    const admin = await requestClientToken(config, tokenEndpoint(), { scope: 'user:create' })
    const created = await fetch(`${mockOrigin()}/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.access_token}`, 'content-type': 'application/json' },
      body: '{}',
    })
    const { userId } = await created.json<{ userId: string }>()
    const token = await requestClientToken(config, tokenEndpoint(), { scope: 'accounts:read transactions:read:all', sub: userId })
    expect(token.scope).toBe('accounts:read transactions:read:all')
    const last = (await mockRequests()).find((r) => r.endpoint === 'token' && r.answer?.access_token === token.access_token)!
    expect(last.params).toMatchObject({ grant_type: 'client_credentials', sub: userId })
  })

  it('reports the server refusing the grant with its OAuth error code', async () => {
    const config = await getConfig(env)
    const refused = await requestClientToken(config, tokenEndpoint(), { scope: 'accounts:read' }).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(TokenRequestRejected)
    expect(refused).toMatchObject({ code: 'token_request_rejected', oauthError: 'invalid_request' })
  })
})
