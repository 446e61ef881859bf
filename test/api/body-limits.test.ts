/**
 * Bodies are bounded and read last (issue 10.1): the caller is known, the
 * method and flow allowed, and the size checked before a body is parsed; and
 * every start the API accepts, even with every field at its maximum, yields an
 * authorizeUrl that opens.
 */
import { SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { APP_ORIGIN, backendAuth, browser, expectRefusal, mockOrigin, startSession } from '../helpers'
import { largestStarts } from '../largestStarts'

const post = (path: string, body: BodyInit, headers: Record<string, string>) =>
  SELF.fetch(`http://proxy.test${path}`, { method: 'POST', headers, body })

/** A body that arrives in chunks, without Content-Length: only counting it as it arrives can bound it. */
function streamed(bytes: number, chunk = 16 * 1024): ReadableStream<Uint8Array> {
  let sent = 0
  return new ReadableStream({
    pull(controller) {
      if (sent >= bytes) return controller.close()
      controller.enqueue(new TextEncoder().encode('{"bankId":"' + 'a'.repeat(chunk)).slice(0, chunk))
      sent += chunk
    },
  })
}

async function expectTooLarge(response: Response) {
  expect(response.status).toBe(413)
  expect(await response.json()).toMatchObject({ error: 'body_too_large' })
}

describe('bodies: who, which method, how big — before any parsing', () => {
  it('POST /sessions without credentials is refused with 401 before its body is read', async () => {
    const response = await post('/sessions', '{this is not json', { 'content-type': 'application/json' })
    expect(response.status).toBe(401)
    // An origin that is not allowed: 403, also before the body.
    expect((await post('/sessions', '{not json', { 'content-type': 'application/json', origin: 'https://evil.example' })).status).toBe(403)
  })

  it('a body over the route limit is refused with 413, with or without Content-Length', async () => {
    // Valid JSON that the schema would refuse (400) if it were ever parsed.
    const big = JSON.stringify({ returnTo: `${APP_ORIGIN}/${'a'.repeat(9000)}` })
    await expectTooLarge(await post('/sessions', big, { 'content-type': 'application/json', ...backendAuth() }))
    await expectTooLarge(await post('/sessions', streamed(64 * 1024), { 'content-type': 'application/json', ...backendAuth() }))
    // Far over: refused from its declared length alone.
    await expectTooLarge(await post('/sessions', 'x'.repeat(2_000_000), { 'content-type': 'application/json', ...backendAuth() }))
  })

  it('every route caps bodies, even those that read none', async () => {
    for (const [method, path] of [
      ['POST', '/sessions/AAAAAAAAAAAAAAAAAAAAAA/refresh'],
      ['DELETE', '/sessions/AAAAAAAAAAAAAAAAAAAAAA'],
      ['POST', '/health'],
    ]) {
      const response = await SELF.fetch(`http://proxy.test${path}`, { method, headers: backendAuth(), body: streamed(100 * 1024) })
      await expectTooLarge(response)
    }
  })

  it('POST /callback in the code flow is refused with 405 before its form is read', async () => {
    const form = new URLSearchParams({ junk: 'x'.repeat(20_000) }) // no state: 400 if it were validated
    const response = await post('/callback', form, { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' })
    expect(response.status).toBe(405)
    expect(await response.json()).toMatchObject({ error: 'method_not_allowed' })
    // A person gets the same refusal as a page (a browser route).
    const page = await post('/callback', form, { 'content-type': 'application/x-www-form-urlencoded' })
    expect(page.status).toBe(405)
    expect(page.headers.get('content-type')).toMatch(/^text\/html/)
  })

  it('an action with offlineAccess, which Moneyhub would refuse at launch, is refused at the start', async () => {
    const response = await startSession({ userId: 'u1', connectionId: 'b:c', action: 'reauth', offlineAccess: true })
    // The message names the field to drop: what the caller acts on.
    expect((await expectRefusal(response, 'invalid_request')).message).toMatch(/offlineAccess/)
  })

  it('a date with thousands of fractional digits is refused with 400, not stored', async () => {
    const soon = new Date(Date.now() + 86_400_000).toISOString().slice(0, 19)
    const response = await startSession({ consent: { expirationDateTime: `${soon}.${'1'.repeat(3000)}Z` } })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ error: 'invalid_request', message: expect.stringMatching(/expirationDateTime/) })
  })
})

describe('every accepted start yields an authorizeUrl that opens', () => {
  const { newUser, existing } = largestStarts()

  it.each([
    ['a new connection', newUser],
    ['an existing connection', existing],
  ])('%s, every field at its maximum: the body fits, and the link opens (PAR)', async (_, body) => {
    const text = JSON.stringify(body)
    expect(text.length).toBeLessThan(8 * 1024)
    const response = await startSession(body)
    expect(response.status).toBe(201)
    const { authorizeUrl } = await response.json<{ authorizeUrl: string }>()
    // The launch route takes tickets of up to 8 KB.
    expect(new URL(authorizeUrl).searchParams.get('ticket')!.length).toBeLessThan(8192)
    const identity = await browser.launch(authorizeUrl)
    expect(identity.origin).toBe(mockOrigin())
  })
})
