/**
 * The client assertion's `aud` is the token endpoint at every endpoint by default, as Moneyhub's reference for
 * POST /oidc/request says ("The aud property should be the token endpoint"); CLIENT_ASSERTION_AUDIENCE chooses another.
 */
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { readConfig } from '../../src/config'
import { clientAuthentication } from '../../src/oidc/clientAssertion'
import {
  claimsOf,
  connectAccount,
  ISSUER,
  mockRequests,
  pushedRequestsOf,
  refresh,
  registerUser,
  remove,
  tokenRequestFor,
  tokenSet,
} from '../helpers'

describe('the client assertion’s audience', () => {
  it('is the token endpoint at PAR, the token endpoint (code, refresh, client credentials) and revocation', async () => {
    const { session, back } = await connectAccount({ offlineAccess: true })
    const [pushed] = await pushedRequestsOf(session.id)
    const exchange = await tokenRequestFor(back.searchParams.get('code')!)
    const { refresh_token } = await tokenSet(session.id)
    expect((await refresh(session.id)).status).toBe(200)
    const { access_token } = await tokenSet(session.id)
    expect((await remove(session.id)).status).toBe(204)
    const clientUserId = `aud-${crypto.randomUUID()}`
    await registerUser(clientUserId)

    const recorded = await mockRequests()
    const refreshed = recorded.find((r) => r.endpoint === 'token' && r.params.refresh_token === refresh_token)!
    const revoked = recorded.find((r) => r.endpoint === 'revocation' && r.params.token === access_token)!
    const granted = recorded.filter((r) => r.endpoint === 'token' && r.params.grant_type === 'client_credentials').at(-1)!
    const audiences = Object.fromEntries(
      Object.entries({ par: pushed!, code: exchange, refresh: refreshed, revocation: revoked, client_credentials: granted }).map(
        ([endpoint, r]) => [endpoint, claimsOf(r.params.client_assertion!).aud],
      ),
    )
    const token = `${ISSUER()}/token`
    expect(audiences).toEqual({ par: token, code: token, refresh: token, revocation: token, client_credentials: token })
  })

  it('defaults to token; endpoint and issuer are the other settings', async () => {
    const par = `${ISSUER()}/request`
    const token = `${ISSUER()}/token`
    const audienceWith = async (setting: string) => {
      const config = await readConfig({ ...env, CLIENT_ASSERTION_AUDIENCE: setting })
      return claimsOf((await clientAuthentication(config, par, token)).client_assertion!).aud
    }
    expect(await audienceWith('')).toBe(token)
    expect(await audienceWith('token')).toBe(token)
    expect(await audienceWith('endpoint')).toBe(par)
    expect(await audienceWith('issuer')).toBe(ISSUER())
    await expect(readConfig({ ...env, CLIENT_ASSERTION_AUDIENCE: 'both' })).rejects.toMatchObject({
      name: 'ConfigError',
      problems: [expect.objectContaining({ variable: 'CLIENT_ASSERTION_AUDIENCE' })],
    })
  })
})
