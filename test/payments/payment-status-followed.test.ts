/**
 * Issue 27 item 7: a payment is `authorised` at the code exchange, and
 * Moneyhub's status keeps moving after it (inProgress → completed, or
 * rejected). The session's alarm follows it until it is final, within a bound,
 * and a webhook says the final one; the session stays `authorised` (money may
 * have moved when the bank says otherwise later: never `failed`).
 * The mock's payment reads `inProgress`, then `completed`, or `rejected` for
 * the payee "Rejected Payee" (docs/development.md).
 */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import type { SessionCoordinator } from '../../src/objects/sessionCoordinator'
import { followedToMoneyhubStatus, paymentBody, paymentStatusOf, payThrough, sleepMs, stubOf, webhookEvents } from '../helpers'

describe("a payment's Moneyhub status, followed after authorisation", () => {
  it('a payment Moneyhub later rejects: a webhook says rejected, and the session stays authorised', async () => {
    const payee = { name: 'Rejected Payee', sortCode: '123456', accountNumber: '12345678' }
    const { payment } = await payThrough('/payments', paymentBody({ payee }))
    const { paymentId } = await paymentStatusOf(payment.id)
    const event = await followedToMoneyhubStatus(payment.id)
    expect(event).toMatchObject({
      eventId: `${payment.id}.authorised.moneyhub.rejected`,
      status: 'authorised',
      moneyhubStatus: 'rejected',
      paymentId,
    })
    const shown = await paymentStatusOf(payment.id)
    expect(shown).toMatchObject({ status: 'authorised', moneyhubStatus: 'rejected', paymentId })
  })

  it('a payment that completes: a webhook says completed', async () => {
    const { payment } = await payThrough('/payments', paymentBody())
    const event = await followedToMoneyhubStatus(payment.id)
    expect(event).toMatchObject({ status: 'authorised', moneyhubStatus: 'completed' })
    expect(await paymentStatusOf(payment.id)).toMatchObject({ status: 'authorised', moneyhubStatus: 'completed' })
    // Final: nothing more is asked, and no second event is sent.
    await runDurableObjectAlarm(stubOf(payment.id))
    await sleepMs(200)
    expect((await webhookEvents(payment.id)).filter((e) => e.moneyhubStatus)).toHaveLength(1)
  })

  it('nothing is followed past its bound: no look, no event, the session as it was', async () => {
    const { payment } = await payThrough('/payments', paymentBody())
    // The bound (at most 24 h, never past the record's own life) has passed before the first look.
    await runInDurableObject(stubOf(payment.id), async (instance: SessionCoordinator, state) => {
      const stored = await state.storage.get<{ follow?: { until: number } }>('session')
      expect(stored?.follow?.until).toBeGreaterThan(Math.floor(Date.now() / 1000))
      expect(stored!.follow!.until).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 24 * 3600)
      const past = { ...stored, follow: { ...stored!.follow!, until: Math.floor(Date.now() / 1000) - 1 } }
      await state.storage.put('session', past)
      ;(instance as unknown as { state: unknown }).state = past
    })
    expect(await followedToMoneyhubStatus(payment.id, 3)).toBeUndefined()
    const shown = await paymentStatusOf(payment.id)
    expect(shown.status).toBe('authorised')
    expect(shown.moneyhubStatus).toBeUndefined()
    const stored = await runInDurableObject(stubOf(payment.id), (_i, state) => state.storage.get<{ follow?: unknown }>('session'))
    expect(stored?.follow).toBeUndefined()
  })
})
