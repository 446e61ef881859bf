import { SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { inject } from 'vitest'

describe('public endpoints', () => {
  it('GET /.well-known/jwks.json publishes every client key, public halves only', async () => {
    const response = await SELF.fetch('http://proxy.test/.well-known/jwks.json')
    expect(response.status).toBe(200)
    const jwks = await response.json<{ keys: Record<string, string>[] }>()
    expect(jwks.keys.map((k) => k.kid)).toEqual(['client-key-1', 'client-key-2'])
    for (const key of jwks.keys) for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(member)
    const registered = JSON.parse(inject('clientPublicJwks')) as { keys: Record<string, string>[] }
    expect(jwks.keys.map((k) => k.n ?? k.x)).toEqual(registered.keys.map((k) => k.n ?? k.x))
  })

  it('GET /health answers 200, with security headers', async () => {
    const response = await SELF.fetch('http://proxy.test/health')
    expect(response.status).toBe(200)
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
  })

  it('an unknown route is a JSON 404', async () => {
    const response = await SELF.fetch('http://proxy.test/nope')
    expect(response.status).toBe(404)
    expect(await response.json()).toMatchObject({ error: 'not_found' })
  })
})
