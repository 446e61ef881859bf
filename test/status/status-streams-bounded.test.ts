/**
 * Status watchers (?wait and /events) are pushed by the session's Durable
 * Object, stop with their client, and are capped per session and per client
 * address with a clear 429.
 */
import { SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { authorize, callback, sleepMs, started, watchersOf } from '../helpers'

const events = (id: string, headers: Record<string, string> = {}, signal?: AbortSignal) =>
  SELF.fetch(`http://proxy.test/sessions/${id}/events`, { headers, ...(signal ? { signal } : {}) })

/** Opens a stream, reads its first event, then drops the connection. */
async function openAndDrop(id: string, headers: Record<string, string> = {}) {
  const controller = new AbortController()
  const response = await events(id, headers, controller.signal)
  expect(response.status).toBe(200)
  const reader = response.body!.getReader()
  await reader.read()
  controller.abort()
  await reader.cancel().catch(() => undefined)
}

async function untilIdle(ids: string[], withinMs: number) {
  const until = Date.now() + withinMs
  let open = 0
  do {
    open = (await Promise.all(ids.map(watchersOf))).reduce((a, b) => a + b, 0)
    if (open === 0) return 0
    await sleepMs(100)
  } while (Date.now() < until)
  return open
}

describe('status watchers are bounded and stop with their client', () => {
  it('50 dropped event streams: within seconds no session holds a stream, and the caps are free again', async () => {
    const sessions = await Promise.all(Array.from({ length: 10 }, () => started({})))
    const ids = sessions.map((s) => s.id)
    await Promise.all(Array.from({ length: 50 }, (_, i) => openAndDrop(ids[i % 10]!, { 'cf-connecting-ip': `203.0.113.${i % 3}` })))
    expect(await untilIdle(ids, 5_000)).toBe(0)
    // The per-address caps were released with them: the same address opens streams again.
    await openAndDrop(ids[0]!, { 'cf-connecting-ip': '203.0.113.0' })
  })

  it('a dropped long-poll stops too', async () => {
    const session = await started({})
    const controller = new AbortController()
    const waiting = SELF.fetch(`http://proxy.test/sessions/${session.id}?wait=20`, { signal: controller.signal }).catch(() => undefined)
    const until = Date.now() + 5_000
    while ((await watchersOf(session.id)) === 0 && Date.now() < until) await sleepMs(50)
    expect(await watchersOf(session.id)).toBe(1)
    controller.abort()
    await waiting
    expect(await untilIdle([session.id], 5_000)).toBe(0)
  })

  it('past the cap per session: 429 too_many_watchers, until one closes', async () => {
    const session = await started({})
    const controllers = Array.from({ length: 10 }, () => new AbortController())
    // From several addresses: one address holds at most 3 of a session's watchers (test/status/fair-watchers.test.ts).
    const open = await Promise.all(controllers.map((c, i) => events(session.id, { 'cf-connecting-ip': `192.0.2.${i}` }, c.signal)))
    expect(open.map((r) => r.status)).toEqual(Array(10).fill(200))
    const refused = await events(session.id)
    expect(refused.status).toBe(429)
    expect(await refused.json()).toMatchObject({ error: 'too_many_watchers' })
    controllers[0]!.abort()
    await open[0]!.body!.cancel().catch(() => undefined)
    expect(await untilIdle([session.id], 0)).toBeGreaterThan(0)
    const until = Date.now() + 5_000
    while ((await watchersOf(session.id)) === 10 && Date.now() < until) await sleepMs(50)
    const again = await events(session.id)
    expect(again.status).toBe(200)
    // The final status reaches every open stream, and each ends.
    await callback(await authorize(session.authorizeUrl))
    for (const response of [again, ...open.slice(1)]) expect(await response.text()).toMatch(/"status":"connected"/)
    expect(await untilIdle([session.id], 5_000)).toBe(0)
  })

  it('past the cap per client address, across sessions: 429, with Retry-After', async () => {
    const from = { 'cf-connecting-ip': '198.51.100.77' }
    // Seven sessions: one address holds at most 3 watchers of each.
    const sessions = await Promise.all(Array.from({ length: 7 }, () => started({})))
    const controller = new AbortController()
    const open = await Promise.all(Array.from({ length: 20 }, (_, i) => events(sessions[i % 7]!.id, from, controller.signal)))
    expect(open.map((r) => r.status)).toEqual(Array(20).fill(200))
    const refused = await SELF.fetch(`http://proxy.test/sessions/${sessions[6]!.id}?wait=5`, { headers: from })
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBeTruthy()
    expect(await refused.json()).toMatchObject({ error: 'too_many_watchers' })
    // Another address is not affected.
    expect((await events(sessions[0]!.id, { 'cf-connecting-ip': '198.51.100.78' })).status).toBe(200)
    controller.abort()
    await Promise.all(open.map((r) => r.body!.cancel().catch(() => undefined)))
  })

  it('IPv6 neighbours in one /64 share the cap per client address', async () => {
    const neighbour = (i: number) => ({ 'cf-connecting-ip': `2001:db8:5:7::${(i + 1).toString(16)}` })
    // Seven sessions: one address holds at most 3 watchers of each.
    const sessions = await Promise.all(Array.from({ length: 7 }, () => started({})))
    const controller = new AbortController()
    const open = await Promise.all(Array.from({ length: 20 }, (_, i) => events(sessions[i % 7]!.id, neighbour(i), controller.signal)))
    expect(open.map((r) => r.status)).toEqual(Array(20).fill(200))
    const refused = await SELF.fetch(`http://proxy.test/sessions/${sessions[6]!.id}?wait=5`, { headers: neighbour(99) })
    expect(refused.status).toBe(429)
    // The next /64 is another client.
    expect((await events(sessions[0]!.id, { 'cf-connecting-ip': '2001:db8:5:8::1' })).status).toBe(200)
    controller.abort()
    await Promise.all(open.map((r) => r.body!.cancel().catch(() => undefined)))
  })
})
