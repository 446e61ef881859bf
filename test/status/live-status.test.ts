import { SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { authorize, callback, sleepMs, started } from '../helpers'

/** Reads a Server-Sent Events stream to its end: the list of (event, data). */
async function readEvents(response: Response): Promise<{ event: string; data: Record<string, unknown> }[]> {
  const text = await response.text()
  return text
    .split('\n\n')
    .filter((block) => block.includes('data:'))
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message'
      const data = JSON.parse(/^data: (.*)$/m.exec(block)![1]!)
      return { event, data }
    })
}

describe('live status for frontends', () => {
  it('GET /sessions/:id?wait=N answers as soon as the status leaves pending', async () => {
    const session = await started({})
    const began = Date.now()
    const waiting = SELF.fetch(`http://proxy.test/sessions/${session.id}?wait=20`)
    await sleepMs(300)
    await callback(await authorize(session.authorizeUrl))
    const answer = await (await waiting).json<{ status: string }>()
    expect(answer.status).toBe('connected')
    expect(Date.now() - began).toBeLessThan(15_000) // not the 20 s of ?wait=20, with room for a busy machine
  })

  it('?wait answers at once when the status is final, after N seconds when still pending, and is capped at 25', async () => {
    const session = await started({})
    const began = Date.now()
    expect(await (await SELF.fetch(`http://proxy.test/sessions/${session.id}?wait=1`)).json()).toMatchObject({ status: 'pending' })
    expect(Date.now() - began).toBeGreaterThanOrEqual(900)
    expect((await SELF.fetch(`http://proxy.test/sessions/${session.id}?wait=26`)).status).toBe(400)
    expect((await SELF.fetch(`http://proxy.test/sessions/${session.id}?wait=x`)).status).toBe(400)
  })

  it('GET /sessions/:id/events streams each change to two clients and closes on the final state', async () => {
    const session = await started({})
    const headers = { accept: 'text/event-stream' }
    const [one, two] = await Promise.all([
      SELF.fetch(`http://proxy.test/sessions/${session.id}/events`, { headers }),
      SELF.fetch(`http://proxy.test/sessions/${session.id}/events`, { headers }),
    ])
    expect(one.headers.get('content-type')).toMatch(/text\/event-stream/)
    const reading = Promise.all([readEvents(one), readEvents(two)])
    await sleepMs(300)
    await callback(await authorize(session.authorizeUrl, 'deny'))
    for (const events of await reading) {
      expect(events.map((e) => [e.event, e.data.status])).toEqual([
        ['status', 'pending'],
        ['status', 'failed'],
      ])
      expect(events[1]!.data).toMatchObject({ id: session.id, error: 'access_denied' })
    }
  })

  it('events are readable cross-origin from an allowed origin (EventSource makes CORS requests)', async () => {
    const session = await started({})
    await callback(await authorize(session.authorizeUrl))
    const allowed = await SELF.fetch(`http://proxy.test/sessions/${session.id}/events`, { headers: { origin: 'https://app.example.com' } })
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com')
    await allowed.text()
    const other = await SELF.fetch(`http://proxy.test/sessions/${session.id}/events`, { headers: { origin: 'https://evil.example' } })
    expect(other.headers.get('access-control-allow-origin')).toBeNull()
    await other.text()
  })

  it('events for an unknown session: 404', async () => {
    expect((await SELF.fetch('http://proxy.test/sessions/AAAAAAAAAAAAAAAAAAAAAA/events')).status).toBe(404)
  })
})
