/**
 * A session started in a browser belongs to the page that started it (issue
 * 10.2). Someone who starts a session, connects their own bank and sends the
 * return link to a victim cannot get it attached to the victim: the victim's
 * page holds no secret for it, so the helper refuses it and the status API
 * will not confirm it.
 */
import { env, SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { connectBank, sessionFromReturn, waitForStatus } from '../../src/client/browser'
import { sha256 } from '../../src/util/encoding'
import { APP_ORIGIN, backendAuth, Browser, callback, authorize, pageStorage, started, status } from '../helpers'

const fromPage = { origin: APP_ORIGIN }
const statusWith = (id: string, headers: Record<string, string> = {}, query = '') =>
  SELF.fetch(`http://proxy.test/sessions/${id}${query}`, { headers: { ...fromPage, ...headers } })

async function firstEvent(response: Response): Promise<string> {
  const reader = response.body!.getReader()
  const { value } = await reader.read()
  await reader.cancel()
  return new TextDecoder().decode(value)
}

describe('the session secret', () => {
  it('is given only to the browser page that starts a session, with no-store, and only its hash is kept', async () => {
    const response = await SELF.fetch('http://proxy.test/sessions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...fromPage },
      body: '{}',
    })
    expect(response.status).toBe(201)
    expect(response.headers.get('cache-control')).toBe('no-store')
    const { id, secret } = await response.json<{ id: string; secret: string }>()
    expect(secret).toMatch(/^[A-Za-z0-9_-]{22}$/)
    const stored = (await env.SESSIONS.get(`session:${id}`))!
    expect(stored).not.toContain(secret)
    expect(JSON.parse(stored).secretHash).toBe(await sha256(secret))

    // The backend's sessions have none: the backend ties them to its users itself.
    const byBackend = await SELF.fetch('http://proxy.test/sessions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...backendAuth() },
      body: '{}',
    })
    expect(byBackend.headers.get('cache-control')).toBe('no-store')
    expect(await byBackend.json()).not.toHaveProperty('secret')
  })

  it('the status of a browser-started session answers only with its secret (header, or ?secret= for EventSource)', async () => {
    const { id, secret } = await started({}, fromPage)
    for (const answer of [await statusWith(id), await statusWith(id, { 'x-session-secret': 'A'.repeat(22) }), await status(id)]) {
      expect(answer.status).toBe(403)
      expect(await answer.json()).toMatchObject({ error: 'session_secret_required' })
    }
    expect((await statusWith(id, {}, '?wait=0')).status).toBe(403)
    expect((await SELF.fetch(`http://proxy.test/sessions/${id}/events`)).status).toBe(403)

    const byHeader = await statusWith(id, { 'x-session-secret': secret! })
    expect(byHeader.status).toBe(200)
    expect(await byHeader.json()).toMatchObject({ id, status: 'pending' })
    expect((await statusWith(id, {}, `?secret=${secret}`)).status).toBe(200)
    const events = await SELF.fetch(`http://proxy.test/sessions/${id}/events?secret=${secret}`)
    expect(events.status).toBe(200)
    expect(await firstEvent(events)).toContain('"status":"pending"')
    // The app backend is exempt.
    expect((await SELF.fetch(`http://proxy.test/sessions/${id}`, { headers: backendAuth() })).status).toBe(200)
  })

  it('a browser may send it cross-origin: the preflight allows the header', async () => {
    const preflight = await SELF.fetch('http://proxy.test/sessions/AAAAAAAAAAAAAAAAAAAAAA', {
      method: 'OPTIONS',
      headers: { ...fromPage, 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-session-secret' },
    })
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/x-session-secret/i)
  })

  it('the attack: a return link for a session someone else started is refused by the helper and by the API', async () => {
    // The attacker starts a session in their own browser (GET /connect) and connects their bank.
    const attacker = new Browser()
    const start = await attacker.open(`http://proxy.test/connect?returnTo=${encodeURIComponent(`${APP_ORIGIN}/banks`)}`)
    expect(start.status).toBe(303)
    const back = await attacker.callback(await attacker.decide(start.headers.get('location')!))
    const link = back.headers.get('location')!
    expect(link).toMatch(/status=connected/)

    // The victim's page opens the link: it started nothing, so it holds no secret.
    const victimTab = pageStorage()
    expect(() => sessionFromReturn(link, { storage: victimTab })).toThrow(expect.objectContaining({ code: 'session_not_started_here' }))

    // An attacker's session started with POST /sessions: its status is refused to anyone without its secret.
    const theirs = await started({}, fromPage)
    await callback(await authorize(theirs.authorizeUrl))
    const browserFetch = ((input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init)
      request.headers.set('origin', APP_ORIGIN)
      return SELF.fetch(request)
    }) as typeof fetch
    await expect(
      waitForStatus(theirs.id, { baseUrl: 'http://proxy.test', fetch: browserFetch, storage: victimTab, timeoutSeconds: 0 }),
    ).rejects.toMatchObject({ code: 'session_secret_required', status: 403 })
  })

  it('the page that started it gets it back: connectBank keeps the secret, sessionFromReturn and waitForStatus use it', async () => {
    const tab = pageStorage()
    const browserFetch = ((input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init)
      request.headers.set('origin', APP_ORIGIN)
      return SELF.fetch(request)
    }) as typeof fetch
    let url = ''
    const mine = await connectBank({
      baseUrl: 'http://proxy.test',
      returnTo: `${APP_ORIGIN}/banks`,
      fetch: browserFetch,
      storage: tab,
      navigate: (to) => (url = to),
    })
    const back = await callback(await authorize(url))
    const returned = sessionFromReturn(back.headers.get('location')!, { storage: tab })
    expect(returned).toEqual({ session: mine.id, status: 'connected' })
    const session = await waitForStatus(returned!.session, { baseUrl: 'http://proxy.test', fetch: browserFetch, storage: tab })
    expect(session).toMatchObject({ id: mine.id, status: 'connected' })
  })
})
