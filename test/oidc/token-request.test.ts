import { describe, expect, it } from 'vitest'
import { authorize, callback, claimsOf, ISSUER, started, tokenRequestFor } from '../helpers'
import { inject } from 'vitest'

describe('the token request is exactly what Moneyhub documents', () => {
  it('sends every form field, and a fresh client assertion with a unique jti each time', async () => {
    const codes: string[] = []
    for (let i = 0; i < 3; i++) {
      const session = await started({ bankId: 'abc' })
      const back = await authorize(session.authorizeUrl)
      await callback(back)
      codes.push(back.searchParams.get('code')!)
    }
    const sent = await Promise.all(codes.map(tokenRequestFor))
    const jtis = new Set<unknown>()
    for (const [i, request] of sent.entries()) {
      expect(request.status).toBe(200)
      expect(Object.keys(request.params).sort()).toEqual(
        ['client_assertion', 'client_assertion_type', 'client_id', 'code', 'code_verifier', 'grant_type', 'redirect_uri'].sort(),
      )
      expect(request.params).toMatchObject({
        grant_type: 'authorization_code',
        code: codes[i],
        redirect_uri: inject('redirectUri'),
        client_id: inject('clientId'),
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      })
      expect(request.params.code_verifier).toMatch(/^[A-Za-z0-9_-]{43}$/)
      const assertion = claimsOf(request.params.client_assertion!)
      expect(assertion).toMatchObject({ iss: inject('clientId'), sub: inject('clientId'), aud: `${ISSUER()}/token` })
      expect(assertion.exp! - assertion.iat!).toBeLessThanOrEqual(60)
      const header = JSON.parse(atob(request.params.client_assertion!.split('.')[0]!.replace(/-/g, '+').replace(/_/g, '/')))
      expect(header).toMatchObject({ alg: 'RS256', kid: 'client-key-1' })
      jtis.add(assertion.jti)
    }
    expect(jtis.size).toBe(3)
  })
})
