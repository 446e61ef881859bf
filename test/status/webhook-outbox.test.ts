/**
 * Webhooks: an outbox (issue 26 item 9). Every event is written to the
 * session's Durable Object storage with the change itself, before its first
 * attempt; it leaves the outbox only once the receiver took it or the retry
 * queue holds it. So a restart during the first attempt, or a queue that
 * refuses the event, never loses it: the object's alarm tries it again.
 */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import type { SessionCoordinator } from '../../src/objects/sessionCoordinator'
import { Browser, eventually, mockOrigin, refuseWebhooks, remove, started, stubOf, webhooksFor } from '../helpers'

const delivered = (id: string) => webhooksFor(id).then((found) => found.filter((w) => w.answered === 204))

/** The mock's receiver holds the next delivery of this session's events unanswered for `ms`: an attempt that never ends. */
async function holdWebhooks(id: string, ms: number) {
  await (await fetch(`${mockOrigin()}/__mock/webhooks/hold?id=${id}&count=1&ms=${ms}`, { method: 'POST' })).arrayBuffer()
}

/** A session started and authorised at the mock; the browser is back at the proxy's callback when `before` has run. */
async function connectedAfter(before: (id: string) => Promise<void>) {
  const user = new Browser()
  const session = await started({ bankId: 'abc' })
  const back = await user.authorize(session.authorizeUrl)
  await before(session.id)
  expect((await user.callback(back)).status).toBe(200)
  return session
}

/** The session's object restarts (its running attempt cut off), then its alarm runs: what the receiver took after it. */
async function restartThenAlarm(id: string) {
  await runInDurableObject(stubOf(id), (_instance, state) => state.abort("restart during a webhook's first attempt")).catch(() => undefined)
  expect(await runDurableObjectAlarm(stubOf(id))).toBe(true)
  return eventually(
    () => delivered(id),
    (found) => found.length > 0,
    3_000,
  )
}

describe('a webhook in the outbox', () => {
  it('a restart of the session object during the first attempt: the alarm delivers the event', async () => {
    // The first attempt hangs (longer than this test waits), and the object restarts while it does.
    const session = await connectedAfter((id) => holdWebhooks(id, 25_000))
    const held = await eventually(
      () => webhooksFor(session.id),
      (found) => found.length > 0,
      3_000,
    )
    expect(held.map((w) => w.answered)).toEqual([0]) // the first attempt reached the receiver, and waits for its answer
    const arrived = await restartThenAlarm(session.id)
    expect(arrived.map((w) => JSON.parse(w.body))).toEqual([
      expect.objectContaining({ eventId: `${session.id}.connected`, id: session.id, status: 'connected' }),
    ])
  })

  it('a queue that refuses the event after a failed first attempt: it stays in the outbox and the alarm tries again', async () => {
    let queueSends = 0
    const session = await connectedAfter(async (id) => {
      await refuseWebhooks(id, 1)
      // The retry queue, as this session's object sees it (its env), refuses every message.
      await runInDurableObject(stubOf(id), (instance: SessionCoordinator) => {
        const held = instance as unknown as { env: Env }
        const refusing = {
          send: async () => {
            queueSends++
            throw new Error('queue send failed (injected)')
          },
        }
        held.env = { ...held.env, WEBHOOK_RETRIES: refusing as unknown as Queue }
      })
    })
    // The first attempt was refused (503), and so was the queue.
    await eventually(
      async () => queueSends,
      (sends) => sends > 0,
      5_000,
    )
    expect(await webhooksFor(session.id)).toMatchObject([{ answered: 503 }])
    // The receiver takes it now: the alarm (run until its retry is due) delivers the event that no queue holds.
    const arrived = await eventually(
      async () => {
        await runDurableObjectAlarm(stubOf(session.id))
        return delivered(session.id)
      },
      (found) => found.length > 0,
      10_000,
    )
    expect(arrived.map((w) => JSON.parse(w.body))).toEqual([
      expect.objectContaining({ eventId: `${session.id}.connected`, id: session.id, status: 'connected' }),
    ])
  })

  it('a session deleted while its event is still in the outbox: the alarm still delivers it', async () => {
    // The first attempt hangs; the backend deletes the session meanwhile, and the object restarts.
    const session = await connectedAfter((id) => holdWebhooks(id, 25_000))
    await eventually(
      () => webhooksFor(session.id),
      (found) => found.length > 0,
      3_000,
    )
    expect((await remove(session.id)).status).toBe(204)
    const arrived = await restartThenAlarm(session.id)
    expect(arrived.map((w) => JSON.parse(w.body))).toEqual([expect.objectContaining({ eventId: `${session.id}.connected` })])
  })
})
