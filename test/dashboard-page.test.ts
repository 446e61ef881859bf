/** GET /dashboard: a page that runs only its own inline script and style (a fresh nonce each time), and holds no key or count itself. */
import { env, SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'

const dashboard = () => SELF.fetch('http://proxy.test/dashboard')

describe('GET /dashboard', () => {
  it('is an HTML page under a strict CSP whose nonce is fresh on every request', async () => {
    const [first, second] = await Promise.all([dashboard(), dashboard()])
    expect(first.status).toBe(200)
    expect(first.headers.get('content-type')).toMatch(/^text\/html/)
    expect(first.headers.get('cache-control')).toBe('no-store')
    const csp = first.headers.get('content-security-policy')!
    const nonce = /script-src 'nonce-([\w-]+)'/.exec(csp)?.[1]
    expect(nonce).toBeDefined()
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("connect-src 'self'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).not.toContain('unsafe-inline')
    const page = await first.text()
    // Every script and style on the page carries the nonce; nothing is loaded from elsewhere.
    expect([...page.matchAll(/<script\b[^>]*>/g)].map((m) => m[0])).toEqual([`<script nonce="${nonce}">`])
    expect([...page.matchAll(/<style\b[^>]*>/g)].map((m) => m[0])).toEqual([`<style nonce="${nonce}">`])
    expect(page).not.toMatch(/\bsrc=|<link\b/)
    expect(second.headers.get('content-security-policy')).not.toBe(csp)
  })

  it('asks for the key and keeps it in sessionStorage, never in a URL; the page holds no key', async () => {
    const page = await (await dashboard()).text()
    expect(page).toContain('sessionStorage')
    expect(page).toContain("fetch('/banks/health', { headers: { authorization: 'Bearer ' + key }")
    expect(page).not.toContain(env.BACKEND_API_KEY)
    expect(page).not.toMatch(/[?&]key=/)
  })
})
