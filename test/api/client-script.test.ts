import { SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'

describe('GET /client.js serves the browser helper as a versioned, cacheable ES module', () => {
  it('is JavaScript any origin may load, exporting the helper, with its version', async () => {
    const response = await SELF.fetch('http://proxy.test/client.js', { headers: { origin: 'https://app.example.com' } })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^text\/javascript/)
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    expect(response.headers.get('cache-control')).toBe('public, max-age=300')
    const version = response.headers.get('x-client-version')
    expect(version).toMatch(/^[0-9a-f]{12}$/)
    expect(response.headers.get('etag')).toBe(`"${version}"`)
    const code = await response.text()
    expect(code).toMatch(/export\s*\{[^}]*\bconnectBank\b[^}]*\}/)
    for (const name of ['sessionFromReturn', 'waitForStatus', 'ConnectError']) expect(code).toContain(name)
    expect(code).not.toMatch(/\binterface\b|: string/) // no TypeScript left in it
  })

  it('a pinned version is immutable; a revalidation with the ETag is a 304', async () => {
    const version = (await SELF.fetch('http://proxy.test/client.js')).headers.get('x-client-version')!
    const pinned = await SELF.fetch(`http://proxy.test/client.js?v=${version}`)
    expect(pinned.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    await pinned.arrayBuffer()
    const other = await SELF.fetch('http://proxy.test/client.js?v=000000000000')
    expect(other.headers.get('cache-control')).toBe('public, max-age=300')
    await other.arrayBuffer()
    const again = await SELF.fetch('http://proxy.test/client.js', { headers: { 'if-none-match': `"${version}"` } })
    expect(again.status).toBe(304)
  })

  it('/favicon.ico is an icon, not a 404', async () => {
    const response = await SELF.fetch('http://proxy.test/favicon.ico')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('image/svg+xml')
    expect(await response.text()).toContain('<svg')
  })
})
