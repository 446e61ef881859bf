/** GET /dashboard: a static page that runs only its own inline script and style (pinned by their hashes in its CSP), and holds no key or count itself. */
import { env, SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'

const dashboard = () => SELF.fetch('http://proxy.test/dashboard')

const sha256 = async (text: string) =>
  `sha256-${btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))))}`

describe('GET /dashboard', () => {
  it('is an HTML page under a strict CSP that lets only its own script and style run (public/_headers names their hashes)', async () => {
    const response = await dashboard()
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^text\/html/)
    expect(response.headers.get('cache-control')).toBe('no-store')
    const csp = response.headers.get('content-security-policy')!
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("connect-src 'self'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).not.toContain('unsafe-inline')
    const page = await response.text()
    // One inline script and one inline style; nothing is loaded from elsewhere.
    expect([...page.matchAll(/<script\b[^>]*>/g)].map((m) => m[0])).toEqual(['<script>'])
    expect([...page.matchAll(/<style\b[^>]*>/g)].map((m) => m[0])).toEqual(['<style>'])
    expect(page).not.toMatch(/\bsrc=|<link\b/)
    // Edit the page and these fail, naming the hash public/_headers needs.
    const script = /<script>([\s\S]*)<\/script>/.exec(page)![1]!
    const style = /<style>([\s\S]*)<\/style>/.exec(page)![1]!
    expect(/script-src ([^;]*)/.exec(csp)?.[1], 'public/_headers: script-src for /dashboard').toBe(`'${await sha256(script)}'`)
    expect(/style-src ([^;]*)/.exec(csp)?.[1], 'public/_headers: style-src for /dashboard').toBe(`'${await sha256(style)}'`)
  })

  it('asks for the read-only health key and keeps it in sessionStorage, never in a URL; the page holds no key', async () => {
    const page = await (await dashboard()).text()
    expect(page).toContain('sessionStorage')
    expect(page).toContain('HEALTH_API_KEY')
    // What earlier versions kept there (the backend key) is removed.
    expect(page).toContain("sessionStorage.removeItem('bank-health-key')")
    expect(page).toContain("fetch('/banks/health', { headers: { authorization: 'Bearer ' + key }")
    expect(page).not.toContain(env.BACKEND_API_KEY)
    expect(page).not.toContain(env.HEALTH_API_KEY)
    expect(page).not.toMatch(/[?&]key=/)
  })
})
