/** Discovery and the issuer's JWKS are shared between isolates through the Cache API. */
import { describe, expect, it } from 'vitest'
import { forgetIssuerMetadata, getIssuerMetadata } from '../src/oidc/discovery'
import { forgetIssuerKeys } from '../src/oidc/idToken'
import { readShared, writeShared } from '../src/oidc/sharedCache'
import { browser, connectAccount, ISSUER, started, statusOf } from './helpers'

describe('the shared issuer cache', () => {
  it('keeps the validated discovery document and JWKS after a connection', async () => {
    await connectAccount({})
    expect(await readShared<{ issuer: string }>('discovery', ISSUER())).toMatchObject({ issuer: ISSUER() })
    const jwks = await readShared<{ keys: unknown[] }>('jwks', `${ISSUER()}/certs`)
    expect(jwks?.keys.length).toBeGreaterThan(0)
  })

  it('a new isolate takes discovery from it instead of the issuer', async () => {
    const real = await getIssuerMetadata(ISSUER(), 5000)
    // Another isolate cached a document without PAR: this isolate, once it forgets its own copy, must use that one.
    const { pushed_authorization_request_endpoint: _, ...withoutPar } = real
    await writeShared('discovery', ISSUER(), withoutPar)
    forgetIssuerMetadata()
    try {
      const session = await started({})
      const identityUrl = await browser.launch(session.authorizeUrl)
      expect(identityUrl.searchParams.has('request')).toBe(true) // a request object: the cached document was used
    } finally {
      await writeShared('discovery', ISSUER(), real)
      forgetIssuerMetadata()
    }
  })

  it('a cached JWKS that lacks the signing key is refetched from the issuer once, and the copy refreshed', async () => {
    await writeShared('jwks', `${ISSUER()}/certs`, { keys: [] })
    forgetIssuerKeys()
    const { session } = await connectAccount({})
    expect(await statusOf(session.id)).toMatchObject({ status: 'connected' })
    expect((await readShared<{ keys: unknown[] }>('jwks', `${ISSUER()}/certs`))?.keys.length).toBeGreaterThan(0)
  })
})
