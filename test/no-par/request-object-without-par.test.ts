/** The Worker configured for an issuer whose discovery lists no PAR endpoint (the no-par configuration, vitest.config.ts). */
import { env, SELF } from 'cloudflare:test'
import { decodeProtectedHeader } from 'jose'
import { describe, expect, it } from 'vitest'
import { inject } from 'vitest'
import { Browser, claimsOf, mockOrigin, startSession, tokenRequestFor } from '../helpers'
import { largestStarts } from '../largestStarts'

const proxy = (url: string, init?: RequestInit) => SELF.fetch(url, init)
const browser = new Browser()

describe('without a PAR endpoint: a signed request object (RFC 9101)', () => {
  it('sends client_id, scope and response_type outside, everything inside a JWT signed by the client key', async () => {
    const response = await proxy('http://proxy.test/sessions', {
      method: 'POST',
      headers: { authorization: `Bearer ${env.BACKEND_API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ bankId: 'abc', userId: 'u1' }),
    })
    expect(response.status).toBe(201)
    const { id, authorizeUrl } = await response.json<{ id: string; authorizeUrl: string }>()
    const url = await browser.launch(authorizeUrl)
    expect(url.origin + url.pathname).toBe(`${mockOrigin()}/nopar/oidc/auth`)
    expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request', 'response_type', 'scope'])
    expect(url.searchParams.get('scope')).toBe('openid id:abc')

    const jwt = url.searchParams.get('request')!
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'RS256', kid: 'client-key-1', typ: 'oauth-authz-req+jwt' })
    const claims = claimsOf(jwt)
    expect(claims).toMatchObject({
      iss: inject('clientId'),
      aud: `${mockOrigin()}/nopar/oidc`,
      client_id: inject('clientId'),
      response_type: 'code',
      redirect_uri: inject('redirectUri'),
      scope: 'openid id:abc',
      prompt: 'consent',
      code_challenge_method: 'S256',
      claims: { id_token: { sub: { essential: true, value: 'u1' }, 'mh:con_id': { essential: true } } },
    })
    expect(claims.nbf).toBe(claims.iat)
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(600)
    expect(typeof claims.jti).toBe('string')

    const back = await browser.decide(url)
    const done = await browser.callback(back)
    expect(done.status).toBe(200)
    const status = await (await proxy(`http://proxy.test/sessions/${id}`)).json()
    expect(status).toMatchObject({ status: 'connected', userId: 'u1', bankId: 'abc' })
    expect((await tokenRequestFor(back.searchParams.get('code')!)).params.sub).toBe('u1')
  })

  it('the largest start the API accepts opens: its signed request object travels in the URL (issue 10.1)', async () => {
    const response = await startSession(largestStarts().existing)
    expect(response.status).toBe(201)
    const identity = await new Browser().launch((await response.json<{ authorizeUrl: string }>()).authorizeUrl)
    expect(identity.pathname).toBe('/nopar/oidc/auth')
    // The mock reads the request object it was given.
    const opened = await fetch(identity)
    expect(opened.status, await opened.clone().text()).toBeLessThan(400)
  })
})
