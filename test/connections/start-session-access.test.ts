import { describe, expect, it } from 'vitest'
import { APP_ORIGIN, expectRefusal, startSession } from '../helpers'

const browser = { origin: APP_ORIGIN }

describe('who may start a session, and where the user may be sent back', () => {
  it('a browser on an allowed origin may start one for a new user', async () => {
    const response = await startSession({ bankId: 'abc', returnTo: `${APP_ORIGIN}/x` }, browser)
    expect(response.status).toBe(201)
    expect(response.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN)
  })

  it('a browser may not act for an existing user or connection: 403', async () => {
    const response = await startSession({ userId: 'u1' }, browser)
    expect(response.status).toBe(403)
    expect(await response.json()).toMatchObject({ error: 'backend_only' })
  })

  it('no key and no allowed origin: 401; another origin: 403; a wrong key: 401', async () => {
    expect((await startSession({}, {})).status).toBe(401)
    expect((await startSession({}, { origin: 'https://evil.example' })).status).toBe(403)
    expect((await startSession({}, { authorization: 'Bearer not-the-key-at-all' })).status).toBe(401)
  })

  it.each([
    'https://evil.example/x',
    '/relative',
    '//evil.example/x',
    'javascript:alert(1)',
    'https://user:pass@app.example.com/x',
    'http://app.example.com/x',
    'https:/\\evil.example',
    'https:app.example.com/x', // an odd spelling that parses to an allowed origin: refused, not normalised
    ' https://app.example.com/x',
    'not a url',
  ])('refuses returnTo %s with 400', async (returnTo) => {
    const response = await startSession({ returnTo })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ error: 'return_to_not_allowed' })
  })

  it('refuses unknown fields and malformed values with 400 naming them', async () => {
    const body = await expectRefusal(await startSession({ bankId: 'a b', extra: 1 }), 'invalid_request')
    // The message names the field to fix.
    expect(body.message).toMatch(/bankId/)
  })

  it('refuses a body sent as a form or plain text with 415, instead of reading it as {}', async () => {
    const { SELF } = await import('cloudflare:test')
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      const response = await SELF.fetch('http://proxy.test/sessions', {
        method: 'POST',
        headers: { 'content-type': type, origin: APP_ORIGIN },
        body: '{}',
      })
      expect(response.status).toBe(415)
      expect(await response.json()).toMatchObject({ error: 'unsupported_media_type' })
    }
  })

  it('refuses a body that is not JSON with 400', async () => {
    const { SELF } = await import('cloudflare:test')
    const response = await SELF.fetch('http://proxy.test/sessions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: APP_ORIGIN },
      body: '{not json',
    })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ error: 'invalid_request' })
  })
})
