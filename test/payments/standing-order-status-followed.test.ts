/**
 * Issue 27, "What to build" item 2: a standing order is `authorised` at the
 * code exchange, and Moneyhub's record of it carries a status that keeps
 * moving (the official client's StandingOrderRequest status: InProgress,
 * InitiationPending, InitiationFailed, InitiationCompleted, Cancelled;
 * moneyhub/moneyhub-api-client src/schema/standing-order.ts). The session's
 * alarm follows it (getStandingOrder) until it is final, within a bound, and a
 * webhook says the final one; the session stays `authorised`: a later
 * InitiationFailed is shown as moneyhubStatus, never as `failed`.
 * The mock's standing order reads InitiationPending, then InitiationCompleted,
 * or InitiationFailed for the payee "Rejected Payee".
 */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import type { SessionCoordinator } from '../../src/objects/sessionCoordinator'
import { APP_ORIGIN, followedToMoneyhubStatus, MOCK_BANK_ID, paymentStatusOf, payThrough, sleepMs, stubOf, webhookEvents } from '../helpers'

const standingOrder = (payee = { name: 'Landlord Ltd', sortCode: '200000', accountNumber: '55779911' }) => ({
  bankId: MOCK_BANK_ID,
  payee,
  reference: `Rent ${crypto.randomUUID().slice(0, 8)}`,
  frequency: { repeat: 'Monthly', day: 1 },
  numberOfPayments: 12,
  firstPaymentAmount: 85000,
  firstPaymentDate: '2027-01-01',
  returnTo: `${APP_ORIGIN}/done`,
})

describe("a standing order's Moneyhub status, followed after authorisation", () => {
  it('one that Moneyhub completes: a webhook says InitiationCompleted, the status API shows it, and nothing more is asked', async () => {
    const { payment } = await payThrough('/standing-orders', standingOrder())
    const { standingOrderId } = await paymentStatusOf(payment.id)
    expect(standingOrderId).toEqual(expect.any(String))
    const event = await followedToMoneyhubStatus(payment.id)
    expect(event).toMatchObject({
      eventId: `${payment.id}.authorised.moneyhub.InitiationCompleted`,
      status: 'authorised',
      moneyhubStatus: 'InitiationCompleted',
      standingOrderId,
    })
    expect(await paymentStatusOf(payment.id)).toMatchObject({ status: 'authorised', moneyhubStatus: 'InitiationCompleted' })
    await runDurableObjectAlarm(stubOf(payment.id))
    await sleepMs(200)
    expect((await webhookEvents(payment.id)).filter((e) => e.moneyhubStatus)).toHaveLength(1)
  })

  it('one that Moneyhub later fails: moneyhubStatus InitiationFailed, and the session stays authorised', async () => {
    const { payment } = await payThrough(
      '/standing-orders',
      standingOrder({ name: 'Rejected Payee', sortCode: '123456', accountNumber: '12345678' }),
    )
    const event = await followedToMoneyhubStatus(payment.id)
    expect(event).toMatchObject({ status: 'authorised', moneyhubStatus: 'InitiationFailed' })
    expect(await paymentStatusOf(payment.id)).toMatchObject({ status: 'authorised', moneyhubStatus: 'InitiationFailed' })
  })

  it('nothing is followed past its bound', async () => {
    const { payment } = await payThrough('/standing-orders', standingOrder())
    await runInDurableObject(stubOf(payment.id), async (instance: SessionCoordinator, state) => {
      const stored = await state.storage.get<{ follow?: { until: number } }>('session')
      expect(stored?.follow?.until).toBeGreaterThan(Math.floor(Date.now() / 1000))
      const past = { ...stored, follow: { ...stored!.follow!, until: Math.floor(Date.now() / 1000) - 1 } }
      await state.storage.put('session', past)
      ;(instance as unknown as { state: unknown }).state = past
    })
    expect(await followedToMoneyhubStatus(payment.id, 3)).toBeUndefined()
    expect((await paymentStatusOf(payment.id)).moneyhubStatus).toBeUndefined()
  })
})
