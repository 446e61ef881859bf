/**
 * Webhooks carry their order (issue 26 item 9): a per-session `sequence`,
 * strictly increasing, and `occurredAt`, when the change was made (not when
 * the attempt was), the same on every retry. A receiver drops an event whose
 * sequence is below the last it handled for that session: a retried
 * `connected` arriving after `expired` changes nothing (docs/webhooks.md).
 */
import { describe, expect, it } from 'vitest'
import { connectAccount, eventually, refresh, refuseWebhooks, revokeAtMock, tokenSet, webhooksFor } from '../helpers'

describe('webhook events in order', () => {
  it('each change of one session has the next sequence and when it happened; a retry repeats both', async () => {
    const startedAt = Date.now()
    const { session } = await connectAccount({ offlineAccess: true })
    // One delivery is refused, so one event also arrives again from the retry queue, a second later.
    await refuseWebhooks(session.id, 1)
    const connectedAt = Date.now()
    await revokeAtMock((await tokenSet(session.id)).refresh_token!)
    expect((await refresh(session.id)).status).toBe(410)
    const expiredAt = Date.now()
    const received = await eventually(
      () => webhooksFor(session.id),
      (found) => found.filter((w) => w.answered === 204).length >= 2,
      10_000,
    )
    const events = received.filter((w) => w.answered === 204).map((w) => JSON.parse(w.body))
    const byStatus = Object.fromEntries(events.map((event) => [event.status, event]))
    expect(byStatus.connected).toMatchObject({ sequence: 1, occurredAt: expect.any(String) })
    expect(byStatus.expired).toMatchObject({ sequence: 2, occurredAt: expect.any(String) })
    const connected = Date.parse(byStatus.connected.occurredAt)
    const expired = Date.parse(byStatus.expired.occurredAt)
    expect(connected).toBeGreaterThanOrEqual(startedAt)
    expect(connected).toBeLessThanOrEqual(connectedAt)
    expect(expired).toBeGreaterThanOrEqual(connectedAt)
    expect(expired).toBeLessThanOrEqual(expiredAt)
    // Every delivery of one event (the refused one and its retry) says the same.
    for (const delivery of received) {
      const event = JSON.parse(delivery.body)
      expect(event).toEqual(byStatus[event.status])
    }
  })
})
