/**
 * Fair watchers (issue 17 item 6): one client cannot take every status
 * watcher slot of a session; a caller with the session's secret or the
 * backend key always gets one.
 */
import { SELF } from 'cloudflare:test'
import { afterEach, describe, expect, it } from 'vitest'
import { backendAuth, paymentBody, started, startedPayment } from '../helpers'

const controllers: AbortController[] = []
// Every response is held until the test ends: a response nothing refers to may
// be collected, its body cancelled and its watcher's slot freed mid-test.
const held: Response[] = []
afterEach(async () => {
  for (const controller of controllers.splice(0)) controller.abort()
  await Promise.all(held.splice(0).map((r) => r.body?.cancel().catch(() => undefined)))
})

/** Opens GET /sessions/:id/events from a client address; the stream stays open until the test ends. */
async function watch(path: string, address: string, headers: Record<string, string> = {}) {
  const controller = new AbortController()
  controllers.push(controller)
  const response = await SELF.fetch(`http://proxy.test${path}`, {
    headers: { 'cf-connecting-ip': address, ...headers },
    signal: controller.signal,
  })
  held.push(response)
  return response
}

const statuses = (responses: Response[]) => responses.map((r) => r.status)

describe('status watchers are shared fairly', () => {
  it('one client opening many watchers locks out neither a second client nor the backend', async () => {
    const session = await started({})
    const path = `/sessions/${session.id}/events`
    const greedy = await Promise.all(Array.from({ length: 10 }, () => watch(path, '203.0.113.50')))
    // A few for the greedy client, and the rest refused: the session's slots are not all its.
    expect(statuses(greedy).filter((s) => s === 200).length).toBeLessThan(10)
    expect(statuses(greedy).filter((s) => s === 429).length).toBeGreaterThan(0)
    expect((await watch(path, '198.51.100.7')).status).toBe(200)

    // Every slot taken, by several clients: a new client is refused, the backend is not.
    await Promise.all(Array.from({ length: 12 }, (_, i) => watch(path, `192.0.2.${i}`)))
    expect((await watch(path, '192.0.2.200')).status).toBe(429)
    expect((await watch(path, '192.0.2.201', backendAuth())).status).toBe(200)
  })

  it('a caller with the session secret gets a watcher, though clients holding it too took every slot', async () => {
    const payment = await startedPayment('/payments', paymentBody())
    const path = `/payments/${payment.id}/events`
    const secret = { 'x-session-secret': payment.secret }
    // A client that has the secret too (a leaked page) cannot take every slot from one address.
    const greedy = await Promise.all(Array.from({ length: 10 }, () => watch(path, '203.0.113.60', secret)))
    expect(statuses(greedy).filter((s) => s === 200).length).toBeLessThan(10)
    // The other slots taken by more such clients: a page with the secret still gets one.
    await Promise.all(Array.from({ length: 12 }, (_, i) => watch(path, `192.0.2.${i % 3}`, secret)))
    expect((await watch(path, '198.51.100.8', secret)).status).toBe(200)
  })
})
