/** Discovery and the issuer's JWKS are shared between isolates through the Cache API. */
import { describe, expect, it } from 'vitest'
import { forgetIssuerMetadata, getIssuerMetadata } from '../../src/oidc/discovery'
import { forgetIssuerKeys } from '../../src/oidc/idToken'
import { readShared, writeShared } from '../../src/oidc/sharedCache'
import { connectAccount, ISSUER, mockOrigin, statusOf } from '../helpers'

describe('the shared issuer cache', () => {
  it('keeps the validated discovery document and JWKS after a connection', async () => {
    await connectAccount({})
    expect(await readShared<{ issuer: string }>('discovery', ISSUER())).toMatchObject({ issuer: ISSUER() })
    const jwks = await readShared<{ keys: unknown[] }>('jwks', `${ISSUER()}/certs`)
    expect(jwks?.keys.length).toBeGreaterThan(0)
  })

  it('a new isolate takes discovery from it instead of the issuer', async () => {
    // An issuer nobody else uses, on a port where nothing listens: only the shared copy can answer.
    const issuer = 'http://127.0.0.1:1/shared-cache-test/oidc'
    const real = await getIssuerMetadata(ISSUER(), 5000)
    // The same document, moved to that issuer (its endpoints must share its origin).
    const moved = JSON.parse(JSON.stringify({ ...real, issuer }).replaceAll(mockOrigin(), 'http://127.0.0.1:1'))
    await writeShared('discovery', issuer, moved)
    forgetIssuerMetadata()
    expect(await getIssuerMetadata(issuer, 1000)).toMatchObject({ issuer, token_endpoint: moved.token_endpoint })
  })

  it('a cached JWKS that lacks the signing key is refetched from the issuer once, and the copy refreshed', async () => {
    await writeShared('jwks', `${ISSUER()}/certs`, { keys: [] })
    forgetIssuerKeys()
    const { session } = await connectAccount({})
    expect(await statusOf(session.id)).toMatchObject({ status: 'connected' })
    expect((await readShared<{ keys: unknown[] }>('jwks', `${ISSUER()}/certs`))?.keys.length).toBeGreaterThan(0)
  })
})
