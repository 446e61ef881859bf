/**
 * Property-based: random and adversarial values at every route. The Worker
 * answers 2xx/3xx or a 4xx JSON error with a message (a page with the reason,
 * on the browser routes) — never a 5xx — and never reflects raw input into HTML.
 */
import { SELF } from 'cloudflare:test'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { APP_ORIGIN, backendAuth } from './helpers'

const nasty = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.constantFrom(
    '<script>alert(1)</script>',
    '"><img src=x onerror=alert(1)>',
    'javascript:alert(1)',
    '//evil.example',
    '\\\\evil.example',
    'https://app.example.com@evil.example',
    'https://evil.example#@app.example.com',
    'https://app.example.com.evil.example/',
    '%00',
    '../../etc/passwd',
    'a'.repeat(5000),
    '{"__proto__":{"x":1}}',
    'AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA',
  ),
)
const jsonValue = fc.oneof(
  nasty,
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(nasty, { maxLength: 3 }),
  fc.dictionary(nasty, nasty, { maxKeys: 3 }),
)
const fields = ['bankId', 'returnTo', 'userId', 'connectionId', 'action', 'extra', '__proto__', 'constructor']

async function expectClean(response: Response, raw: string[]) {
  expect(response.status).toBeLessThan(500)
  const text = await response.text()
  // Browser routes answer people with a page (the reason in words), programs with JSON.
  if (response.status >= 400 && (response.headers.get('content-type') ?? '').includes('html'))
    expect(text).toMatch(/Reason: <code>[a-z_]+<\/code>/)
  else if (response.status >= 400) {
    const body = JSON.parse(text)
    expect(typeof body.error).toBe('string')
    expect(typeof body.message).toBe('string')
  }
  if ((response.headers.get('content-type') ?? '').includes('html')) {
    for (const value of raw) if (/[<>"']/.test(value) && value.length > 3) expect(text).not.toContain(value)
  }
}

const RUNS = { numRuns: 60 }

describe('hostile input at every route gets a clear 4xx, never a 5xx', () => {
  it('POST /sessions with random JSON bodies, as backend and as browser', async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom(...fields), jsonValue, { maxKeys: 4 }), fc.boolean(), async (body, asBackend) => {
        const response = await SELF.fetch('http://proxy.test/sessions', {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(asBackend ? backendAuth() : { origin: APP_ORIGIN }) },
          body: JSON.stringify(body),
        })
        await expectClean(
          response,
          Object.values(body).map((v) => (typeof v === 'string' ? v : JSON.stringify(v))),
        )
      }),
      RUNS,
    )
  })

  it('POST /sessions with bodies that are not JSON objects', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(nasty, fc.constantFrom('[]', '1', 'null', '"x"', '{"bankId":')),
        fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded'),
        async (body, type) => {
          const response = await SELF.fetch('http://proxy.test/sessions', {
            method: 'POST',
            headers: { 'content-type': type, ...backendAuth() },
            body,
          })
          await expectClean(response, [body])
          expect(response.status).toBeGreaterThanOrEqual(400)
        },
      ),
      RUNS,
    )
  })

  it('GET /connect and GET /callback with random query strings', async () => {
    const query = fc.dictionary(fc.constantFrom('bankId', 'returnTo', 'state', 'code', 'iss', 'error', 'error_description', 'x'), nasty, {
      maxKeys: 5,
    })
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/connect', '/callback'), query, async (path, params) => {
        const response = await SELF.fetch(`http://proxy.test${path}?${new URLSearchParams(params)}`, { redirect: 'manual' })
        await expectClean(response, Object.values(params))
        if (response.status === 303) {
          const location = response.headers.get('location')!
          expect(location.startsWith('http://127.0.0.1:') || location.startsWith(APP_ORIGIN)).toBe(true)
        }
      }),
      RUNS,
    )
  })

  it('path ids and headers of any shape and size', async () => {
    await fc.assert(
      fc.asyncProperty(nasty, fc.constantFrom('', '/tokens', '/authorize'), nasty, async (id, suffix, header) => {
        const safeHeader = header.replace(/[^\x20-\x7e]/g, '')
        const response = await SELF.fetch(`http://proxy.test/sessions/${encodeURIComponent(id)}${suffix}`, {
          headers: { authorization: `Bearer ${safeHeader}`, origin: safeHeader, 'cf-connecting-ip': '10.0.0.1' },
          redirect: 'manual',
        })
        await expectClean(response, [id])
      }),
      RUNS,
    )
  })
})
