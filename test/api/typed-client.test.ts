/** The app's route types, used from hono/client against the running Worker, and the browser helper. */
import { env, SELF } from 'cloudflare:test'
import { hc } from 'hono/client'
import { describe, expect, it } from 'vitest'
import { connectBank, sessionFromReturn, waitForStatus } from '../../src/client/browser'
import type { AppType } from '../../src/index'
import { APP_ORIGIN, authorize, callback, pageStorage } from '../helpers'

const proxyFetch = ((input: RequestInfo | URL, init?: RequestInit) => SELF.fetch(new Request(input, init))) as typeof fetch

describe('hc<AppType>() from hono/client', () => {
  const client = hc<AppType>('http://proxy.test', { fetch: proxyFetch, headers: { authorization: `Bearer ${env.BACKEND_API_KEY}` } })

  it('starts a session, reads its status and, once connected, its tokens — all typed', async () => {
    const started = await client.sessions.$post({ json: { bankId: 'abc', offlineAccess: true } })
    expect(started.status).toBe(201)
    const session = await started.json()
    const pending = await (await client.sessions[':id'].$get({ param: { id: session.id }, query: {} })).json()
    expect(pending.status).toBe('pending')

    await callback(await authorize(session.authorizeUrl))
    const status = await client.sessions[':id'].$get({ param: { id: session.id }, query: { wait: '5' } })
    const connected = await status.json()
    expect(connected.status).toBe('connected')
    const tokens = await client.sessions[':id'].tokens.$get({ param: { id: session.id } })
    expect(tokens.status).toBe(200)
    const set = await tokens.json()
    if ('access_token' in set) expect(set.token_type).toBe('Bearer')
    else throw new Error('no token set')
    const refreshed = await client.sessions[':id'].refresh.$post({ param: { id: session.id } })
    expect(refreshed.status).toBe(200)
  })
})

describe('the browser helper', () => {
  // A browser adds the page's Origin to every cross-origin fetch.
  const browserFetch = ((input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init)
    request.headers.set('origin', APP_ORIGIN)
    return SELF.fetch(request)
  }) as typeof fetch

  it('connectBank starts and navigates; sessionFromReturn and waitForStatus read the outcome', async () => {
    let navigatedTo = ''
    const storage = pageStorage()
    const started = await connectBank({
      baseUrl: 'http://proxy.test',
      bankId: 'abc',
      returnTo: `${APP_ORIGIN}/banks`,
      fetch: browserFetch,
      storage,
      navigate: (url) => (navigatedTo = url),
    })
    expect(navigatedTo).toBe(started.authorizeUrl)

    const waiting = waitForStatus(started.id, { baseUrl: 'http://proxy.test', fetch: browserFetch, storage, timeoutSeconds: 10 })
    const back = await callback(await authorize(navigatedTo))
    const returned = sessionFromReturn(back.headers.get('location')!, { storage })
    expect(returned).toEqual({ session: started.id, status: 'connected' })
    const session = await waiting
    expect(session).toMatchObject({ id: started.id, status: 'connected', bankId: 'abc' })
  })

  it('errors carry the stable code', async () => {
    await expect(
      connectBank({ baseUrl: 'http://proxy.test', returnTo: 'https://evil.example', fetch: browserFetch, navigate: () => {} }),
    ).rejects.toMatchObject({
      code: 'return_to_not_allowed',
      status: 400,
    })
  })
})
