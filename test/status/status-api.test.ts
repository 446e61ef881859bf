import { describe, expect, it } from 'vitest'
import { APP_ORIGIN, authorize, callback, started, status, statusOf } from '../helpers'

describe('GET /sessions/:id answers the status at every stage, and never a token', () => {
  it('pending → connected', async () => {
    const session = await started({ bankId: 'abc' })
    const pending = await statusOf(session.id)
    expect(pending).toEqual({ id: session.id, status: 'pending', bankId: 'abc', expiresAt: session.expiresAt })
    await callback(await authorize(session.authorizeUrl))
    const connected = await statusOf(session.id)
    expect(Object.keys(connected).sort()).toEqual(['bankId', 'connectionId', 'expiresAt', 'id', 'scope', 'status', 'userId'])
  })

  it('pending → failed with the reason the bank gave, when the user refuses', async () => {
    const session = await started({ bankId: 'abc', returnTo: `${APP_ORIGIN}/back` })
    const response = await callback(await authorize(session.authorizeUrl, 'deny'))
    expect(response.status).toBe(303)
    const landing = new URL(response.headers.get('location')!)
    expect(Object.fromEntries(landing.searchParams)).toEqual({ session: session.id, status: 'failed', error: 'access_denied' })
    expect(await statusOf(session.id)).toMatchObject({
      status: 'failed',
      error: 'access_denied',
      errorDescription: 'The user refused consent at the bank',
    })
  })

  it('answers 404 for an unknown id and 400 for something that is not an id', async () => {
    const unknown = await status('AAAAAAAAAAAAAAAAAAAAAA')
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toEqual({ error: 'session_not_found', message: expect.any(String) })
    const malformed = await status('not-an-id')
    expect(malformed.status).toBe(400)
    expect(await malformed.json()).toMatchObject({ error: 'invalid_request' })
  })

  it('is readable from an allowed origin (CORS), and not from another', async () => {
    const session = await started({})
    const { SELF } = await import('cloudflare:test')
    const allowed = await SELF.fetch(`http://proxy.test/sessions/${session.id}`, { headers: { origin: APP_ORIGIN } })
    expect(allowed.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN)
    const other = await SELF.fetch(`http://proxy.test/sessions/${session.id}`, { headers: { origin: 'https://evil.example' } })
    expect(other.headers.get('access-control-allow-origin')).toBeNull()
  })
})
