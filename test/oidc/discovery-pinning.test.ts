/**
 * Every endpoint the Worker calls is pinned to the issuer's origin (or to
 * ISSUER_ENDPOINT_ORIGINS), never http under an https issuer (issue 10.4); a
 * discovery document or JWKS from the shared cache is checked exactly as a
 * fresh answer is (issue 10.5).
 */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { getConfig } from '../../src/config'
import { checkedIssuerMetadata, forgetIssuerMetadata, getIssuerMetadata } from '../../src/oidc/discovery'
import { forgetIssuerKeys } from '../../src/oidc/idToken'
import { writeShared } from '../../src/oidc/sharedCache'
import worker from '../../src/index'
import { backendAuth, connectAccount, ISSUER, mockRequests, statusOf } from '../helpers'

const issuer = 'https://identity.example.com/oidc'
const document = (overrides: Record<string, unknown> = {}) => ({
  issuer,
  authorization_endpoint: `${issuer}/auth`,
  token_endpoint: `${issuer}/token`,
  jwks_uri: `${issuer}/certs`,
  pushed_authorization_request_endpoint: `${issuer}/request`,
  revocation_endpoint: `${issuer}/token/revocation`,
  ...overrides,
})
const none = new Set<string>()
const codeOf = (run: () => unknown) => {
  try {
    run()
  } catch (error) {
    return (error as { code?: string }).code
  }
  return 'accepted'
}

describe('discovery endpoints are pinned', () => {
  it('accepts a document whose endpoints share the issuer origin', () => {
    expect(checkedIssuerMetadata(document(), issuer, none).token_endpoint).toBe(`${issuer}/token`)
  })

  it.each([
    ['token_endpoint', 'https://attacker.example.net/token', 'discovery_endpoint_not_allowed'],
    ['jwks_uri', 'http://localhost:9/keys', 'discovery_endpoint_insecure'],
    ['jwks_uri', 'http://identity.example.com/oidc/certs', 'discovery_invalid'], // the schema: http only on loopback
    ['pushed_authorization_request_endpoint', 'https://identity.example.com.attacker.net/request', 'discovery_endpoint_not_allowed'],
    ['revocation_endpoint', 'https://identity.example.com:8443/revoke', 'discovery_endpoint_not_allowed'],
    ['authorization_endpoint', 'https://phish.example/auth', 'discovery_endpoint_not_allowed'],
  ])('refuses %s = %s', (field, value, code) => {
    expect(codeOf(() => checkedIssuerMetadata(document({ [field]: value }), issuer, none))).toBe(code)
  })

  it('accepts another origin only when ISSUER_ENDPOINT_ORIGINS lists it, and never http under https', () => {
    const elsewhere = document({ jwks_uri: 'https://keys.example.com/certs' })
    expect(codeOf(() => checkedIssuerMetadata(elsewhere, issuer, none))).toBe('discovery_endpoint_not_allowed')
    expect(checkedIssuerMetadata(elsewhere, issuer, new Set(['https://keys.example.com'])).jwks_uri).toBe('https://keys.example.com/certs')
    const http = document({ jwks_uri: 'http://127.0.0.1:9/certs' })
    expect(codeOf(() => checkedIssuerMetadata(http, issuer, new Set(['http://127.0.0.1:9'])))).toBe('discovery_endpoint_insecure')
  })

  it('reads ISSUER_ENDPOINT_ORIGINS from the config', async () => {
    const config = await getConfig({ ...env, ISSUER_ENDPOINT_ORIGINS: 'https://keys.example.com, https://mtls.example.com' })
    expect([...config.issuerEndpointOrigins]).toEqual(['https://keys.example.com', 'https://mtls.example.com'])
  })

  it('a start against a discovery document naming endpoints on another origin fails closed (502), sending nothing there', async () => {
    // An issuer whose only answer is the shared copy (nothing listens on port 1), naming the mock's real endpoints.
    const fake = 'http://127.0.0.1:1/pinning-test/oidc'
    const real = await getIssuerMetadata(ISSUER(), 5000)
    await writeShared('discovery', fake, { ...real, issuer: fake })
    forgetIssuerMetadata()
    // A client id of this test's own: anything this start sent to the mock would carry it (other projects' Workers
    // use the mock at the same time, so the mock's record as a whole may grow meanwhile).
    const clientId = `pinning-test-${crypto.randomUUID()}`
    // A start with data scopes reads the discovery document (scopes_supported) before anything is stored: no Durable Object is reached.
    const ctx = createExecutionContext()
    const response = await worker.fetch(
      new Request('http://proxy.test/sessions', {
        method: 'POST',
        headers: { ...backendAuth(), 'content-type': 'application/json' },
        body: JSON.stringify({ dataScopes: ['accounts:read'] }),
      }),
      { ...env, MONEYHUB_ISSUER: fake, MONEYHUB_CLIENT_ID: clientId, UPSTREAM_TIMEOUT_MS: '500' },
      ctx,
    )
    await waitOnExecutionContext(ctx)
    expect(response.status).toBe(502)
    expect((await mockRequests()).filter((r) => JSON.stringify(r).includes(clientId))).toEqual([])
  })
})

describe('the shared cache is checked like a fresh answer', () => {
  it('a cached discovery document that fails the schema is ignored and replaced by a fresh one', async () => {
    await writeShared('discovery', ISSUER(), {
      issuer: ISSUER(),
      token_endpoint: 'javascript:alert(1)',
      jwks_uri: 42,
      authorization_endpoint: `${ISSUER()}/auth`,
    })
    forgetIssuerMetadata()
    const metadata = await getIssuerMetadata(ISSUER(), 5000)
    expect(metadata.token_endpoint).toBe(`${ISSUER()}/token`)
    expect(metadata.jwks_uri).toBe(`${ISSUER()}/certs`)
  })

  it('a cached discovery document naming a foreign endpoint is ignored too', async () => {
    const real = await getIssuerMetadata(ISSUER(), 5000)
    await writeShared('discovery', ISSUER(), { ...real, token_endpoint: 'https://attacker.example.net/token' })
    forgetIssuerMetadata()
    expect((await getIssuerMetadata(ISSUER(), 5000)).token_endpoint).toBe(`${ISSUER()}/token`)
  })

  it('a cached JWKS that is not a JWK Set is ignored: the keys come from the issuer and the connection succeeds', async () => {
    await writeShared('jwks', `${ISSUER()}/certs`, { keys: ['not a key', 42] })
    forgetIssuerKeys()
    const { session } = await connectAccount({})
    expect(await statusOf(session.id)).toMatchObject({ status: 'connected' })
  })
})
