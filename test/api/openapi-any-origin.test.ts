/** GET /openapi.json is public: a Swagger UI on any origin may load it. Every other route keeps CORP same-origin. */
import { SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'

describe('GET /openapi.json from another origin', () => {
  it('answers CORS * and no Cross-Origin-Resource-Policy same-origin', async () => {
    const response = await SELF.fetch('http://proxy.test/openapi.json', { headers: { origin: 'https://editor.swagger.io' } })
    expect(response.status).toBe(200)
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    expect(response.headers.get('cross-origin-resource-policy')).not.toBe('same-origin')
    expect(((await response.json()) as { openapi: string }).openapi).toMatch(/^3\./)
  })

  it('a preflight from any origin is allowed', async () => {
    const response = await SELF.fetch('http://proxy.test/openapi.json', {
      method: 'OPTIONS',
      headers: { origin: 'https://editor.swagger.io', 'access-control-request-method': 'GET' },
    })
    expect(response.status).toBeLessThan(300)
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
  })

  it('on that route alone: the status API keeps CORP same-origin and gives no CORS to a stranger', async () => {
    const response = await SELF.fetch('http://proxy.test/health', { headers: { origin: 'https://editor.swagger.io' } })
    expect(response.headers.get('cross-origin-resource-policy')).toBe('same-origin')
    const status = await SELF.fetch('http://proxy.test/sessions/AAAAAAAAAAAAAAAAAAAAAA', {
      headers: { origin: 'https://editor.swagger.io' },
    })
    expect(status.headers.get('access-control-allow-origin')).toBeNull()
    expect(status.headers.get('cross-origin-resource-policy')).toBe('same-origin')
  })
})
