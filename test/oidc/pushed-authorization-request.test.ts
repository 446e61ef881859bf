import { describe, expect, it } from 'vitest'
import { inject } from 'vitest'
import { browser, claimsOf, ISSUER, pushedRequestFor, started } from '../helpers'

describe('with a pushed_authorization_request_endpoint in discovery (RFC 9126)', () => {
  it('pushes every parameter, authenticated, and sends the browser with only client_id and request_uri', async () => {
    const session = await started({ bankId: 'abc' })
    const launch = new URL(session.authorizeUrl)
    expect(launch.origin + launch.pathname).toBe(`${new URL(inject('redirectUri')).origin}/sessions/${session.id}/authorize`)
    expect([...launch.searchParams.keys()]).toEqual(['ticket'])
    const url = await browser.launch(session.authorizeUrl)
    expect(url.origin + url.pathname).toBe(`${ISSUER()}/auth`)
    expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri'])
    expect(url.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/)

    const pushed = await pushedRequestFor(url)
    const { client_assertion, state, nonce, code_challenge, ...rest } = pushed.params
    expect(rest).toEqual({
      response_type: 'code',
      client_id: inject('clientId'),
      redirect_uri: inject('redirectUri'),
      scope: 'openid id:abc',
      prompt: 'consent',
      claims: JSON.stringify({ id_token: { sub: { essential: true }, 'mh:con_id': { essential: true } } }),
      code_challenge_method: 'S256',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    })
    expect(state).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$/)
    // The launch ticket is sealed: neither the state nor the verifier can be read from the authorizeUrl.
    expect(session.authorizeUrl).not.toContain(state!.split('.')[1]!)
    expect(state!.startsWith(session.id)).toBe(true)
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{22,}$/)
    expect(code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(claimsOf(client_assertion!)).toMatchObject({ aud: `${ISSUER()}/token`, iss: inject('clientId') })
  })

  it('makes a fresh state, nonce and PKCE pair for every session', async () => {
    const [a, b] = await Promise.all([started({}), started({})])
    const [ua, ub] = await Promise.all([browser.launch(a.authorizeUrl), browser.launch(b.authorizeUrl)])
    const [pa, pb] = await Promise.all([pushedRequestFor(ua), pushedRequestFor(ub)])
    for (const field of ['state', 'nonce', 'code_challenge'] as const) expect(pa.params[field]).not.toBe(pb.params[field])
    expect(pa.params.scope).toBe('openid id:all')
  })
})
