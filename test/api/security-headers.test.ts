import { SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { APP_ORIGIN, connectAccount, started } from '../helpers'

describe('security headers and CORS', () => {
  it('every answer carries the secure headers, whatever its status', async () => {
    const session = await started({})
    for (const [path, init] of [
      ['/health', {}],
      ['/sessions/' + session.id, {}],
      ['/sessions/nope', {}],
      ['/callback?state=x', {}],
      ['/.well-known/jwks.json', {}],
      ['/missing', {}],
    ] as [string, RequestInit][]) {
      const response = await SELF.fetch(`http://proxy.test${path}`, init)
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff')
      expect(response.headers.get('x-frame-options'), path).toBe('DENY') // nothing here is framed
      expect(response.headers.get('strict-transport-security'), path).toMatch(/max-age=/)
      expect(response.headers.get('referrer-policy'), path).toBe('no-referrer')
      expect(response.headers.get('x-request-id'), path).toMatch(/^[0-9a-f-]{36}$/)
    }
  })

  it('the HTML result page has a strict Content-Security-Policy and is not cached', async () => {
    const { response } = await connectAccount({})
    expect(response.headers.get('content-type')).toMatch(/text\/html/)
    const csp = response.headers.get('content-security-policy')!
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/)
    expect(response.headers.get('cache-control')).toBe('no-store')
  })

  it('CORS preflight is answered for an allowed origin only', async () => {
    const preflight = (origin: string) =>
      SELF.fetch('http://proxy.test/sessions', {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      })
    const allowed = await preflight(APP_ORIGIN)
    expect(allowed.status).toBe(204)
    expect(allowed.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN)
    expect(allowed.headers.get('access-control-allow-methods')).toMatch(/POST/)
    const refused = await preflight('https://evil.example')
    expect(refused.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('the tokens route never answers CORS, even to an allowed origin', async () => {
    const session = await started({})
    const response = await SELF.fetch(`http://proxy.test/sessions/${session.id}/tokens`, { headers: { origin: APP_ORIGIN } })
    expect(response.status).toBe(401)
    expect(response.headers.get('access-control-allow-origin')).toBeNull()
  })
})
