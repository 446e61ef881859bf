/**
 * Property-based: random and adversarial values at every route. The Worker
 * answers 2xx/3xx or a 4xx JSON error with a message (a page with the reason,
 * on the browser routes) — never a 5xx — and never reflects raw input into
 * HTML. Every start it accepts opens; oversized bodies and neighbouring IPv6
 * addresses get a 4xx and store nothing.
 */
import { SELF } from 'cloudflare:test'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { allKvKeys, APP_ORIGIN, backendAuth, Browser, inOneWindow, mockOrigin } from '../helpers'

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

/** How many records KV holds: a refused request must not change it. */
const storedCount = async () => (await allKvKeys()).length

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
        // Every start the API accepts yields a link that opens.
        if (response.status === 201) {
          const { authorizeUrl } = await SELF.fetch('http://proxy.test/sessions', {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...(asBackend ? backendAuth() : { origin: APP_ORIGIN }) },
            body: JSON.stringify(body),
          }).then((r) => r.json<{ authorizeUrl: string }>())
          expect(new URL(await new Browser().launch(authorizeUrl)).origin).toBe(mockOrigin())
        }
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

  it('oversized bodies at every route that takes a method with a body: 4xx (413 once past the caps), nothing stored', async () => {
    const routes: [string, string][] = [
      ['POST', '/sessions'],
      ['POST', '/callback'],
      ['POST', '/sessions/AAAAAAAAAAAAAAAAAAAAAA/refresh'],
      ['DELETE', '/sessions/AAAAAAAAAAAAAAAAAAAAAA'],
      ['PUT', '/sessions'],
      ['POST', '/health'],
    ]
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.integer({ min: 8 * 1024 + 1, max: 300_000 }),
        fc.boolean(),
        fc.constantFrom<Record<string, string>>(backendAuth(), { origin: APP_ORIGIN }, {}),
        fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain'),
        async ([method, path], size, chunked, who, type) => {
          const before = await storedCount()
          const text = type.includes('json') ? `{"bankId":"${'a'.repeat(size)}"}` : `state=${'s'.repeat(size)}`
          const bytes = new TextEncoder().encode(text)
          const body = chunked
            ? new ReadableStream<Uint8Array>({
                start(controller) {
                  for (let i = 0; i < bytes.length; i += 16_384) controller.enqueue(bytes.slice(i, i + 16_384))
                  controller.close()
                },
              })
            : text
          const response = await SELF.fetch(`http://proxy.test${path}`, { method, headers: { 'content-type': type, ...who }, body })
          await expectClean(response, [])
          expect(response.status).toBeGreaterThanOrEqual(400)
          if (size > 32 * 1024) expect(response.status).toBe(413)
          expect(await storedCount()).toBe(before)
        },
      ),
      { numRuns: 30 },
    )
  })

  it(
    'IPv6 neighbours (one /64) at every route: never a 5xx, refusals store nothing, and they share one budget',
    { timeout: 40_000 },
    async () => {
      const neighbourIn = (prefix: string) =>
        fc
          .array(fc.integer({ min: 0, max: 0xffff }), { minLength: 4, maxLength: 4 })
          .map((words) => `${prefix}:${words.map((w) => w.toString(16)).join(':')}`)
      const request = fc.oneof(
        fc.record({
          method: fc.constant('POST'),
          path: fc.constant('/sessions'),
          body: fc.dictionary(fc.constantFrom(...fields), jsonValue, { maxKeys: 3 }),
        }),
        fc.record({
          method: fc.constant('GET'),
          path: fc.constantFrom(
            '/connect',
            '/callback?state=x&code=y',
            '/sessions/AAAAAAAAAAAAAAAAAAAAAA',
            '/sessions/AAAAAAAAAAAAAAAAAAAAAA?wait=0',
            '/sessions/AAAAAAAAAAAAAAAAAAAAAA/events',
            '/sessions/AAAAAAAAAAAAAAAAAAAAAA/authorize?ticket=v1.x',
            '/sessions/AAAAAAAAAAAAAAAAAAAAAA/tokens',
            '/.well-known/jwks.json',
          ),
          body: fc.constant(undefined),
        }),
      )
      // The limiter's windows follow the wall clock: a run split by a boundary is made again from a fresh /64.
      const answers = await inOneWindow(['2001:db8:f00d:7', '2001:db8:f00d:17'], async (prefix) => {
        const answers: number[] = []
        await fc.assert(
          fc.asyncProperty(neighbourIn(prefix), request, async (address, { method, path, body }) => {
            const before = await storedCount()
            const response = await SELF.fetch(`http://proxy.test${path}`, {
              method,
              headers: { 'cf-connecting-ip': address, origin: APP_ORIGIN, ...(body ? { 'content-type': 'application/json' } : {}) },
              ...(body ? { body: JSON.stringify(body) } : {}),
              redirect: 'manual',
            })
            await expectClean(response, [])
            if (method === 'POST') answers.push(response.status)
            if (response.status >= 400) expect(await storedCount()).toBe(before)
          }),
          { numRuns: 80 },
        )
        // However many addresses of the /64 were used, it had one client's budget: 20 starts a minute, then 429.
        for (let i = answers.length; i <= 20; i++) {
          const response = await SELF.fetch('http://proxy.test/sessions', {
            method: 'POST',
            headers: { 'cf-connecting-ip': `${prefix}::${i.toString(16)}`, origin: APP_ORIGIN, 'content-type': 'application/json' },
            body: '{}',
          })
          answers.push(response.status)
        }
        return answers
      })
      expect(answers.slice(20).every((s) => s === 429)).toBe(true)
    },
  )
})
