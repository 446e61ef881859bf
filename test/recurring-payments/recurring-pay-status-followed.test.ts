/**
 * Issue 27, "What to build" item 2: a VRP pay Moneyhub accepted is `made`, and
 * its payment record carries a status that keeps moving (the official client's
 * PaymentStatus, moneyhub/moneyhub-api-client src/schema/payment.ts). The
 * consent's alarm follows it, once its payment id is known (5.2.1's answer
 * gives it; 6.x's only a paymentSubmissionId, found later), until it is final,
 * within a bound: a webhook says the final one, and GET /recurring-payments/:id
 * shows it as the pay's moneyhubStatus. The pay stays `made` and the consent
 * `authorised`: a later `rejected` is never a failure here.
 * The mock's payment reads `inProgress`, then `completed`, or `rejected` when
 * its payee is named "Rejected Payee".
 */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { followedToMoneyhubStatus, paymentStatusOf, sleepMs, webhookEvents } from '../helpers'
import { consent, paidAtMock, pay, paymentsListed, stubOf, VERSIONS } from '../vrp'

const payEvents = async (id: string) => (await webhookEvents(id)).filter((e) => e.moneyhubStatus)

const REJECTED = { payee: { name: 'Rejected Payee', sortCode: '123456', accountNumber: '12345678' } }

describe.each(VERSIONS)('a VRP pay’s Moneyhub status, followed after it was made (client %s.x)', (version) => {
  it('one that completes: a webhook names the pay and says completed; the list shows it; nothing more is asked', async () => {
    const { id, recurringPaymentId } = await consent(version)
    expect((await pay(id, 100)).status).toBe(201)
    const [atMock] = (await paidAtMock(recurringPaymentId)).payments
    const event = await followedToMoneyhubStatus(id)
    expect(event).toMatchObject({
      eventId: `${id}.pay.${atMock!.id}.moneyhub.completed`,
      id,
      kind: 'recurring_payment',
      status: 'authorised',
      recurringPaymentId,
      paymentId: atMock!.id,
      moneyhubStatus: 'completed',
    })
    expect(await paymentsListed(id)).toEqual([
      expect.objectContaining({ status: 'made', paymentId: atMock!.id, moneyhubStatus: 'completed' }),
    ])
    expect(await paymentStatusOf(id)).toMatchObject({ status: 'authorised' })
    await runDurableObjectAlarm(stubOf(id))
    await sleepMs(200)
    expect(await payEvents(id)).toHaveLength(1)
  })

  it('one Moneyhub later rejects: moneyhubStatus rejected, the pay stays made and the consent authorised', async () => {
    const { id } = await consent(version, REJECTED)
    expect((await pay(id, 100)).status).toBe(201)
    const event = await followedToMoneyhubStatus(id)
    expect(event).toMatchObject({ status: 'authorised', moneyhubStatus: 'rejected' })
    expect(await paymentsListed(id)).toEqual([expect.objectContaining({ status: 'made', moneyhubStatus: 'rejected' })])
    const session = await paymentStatusOf(id)
    expect(session.status).toBe('authorised')
    expect(session.moneyhubStatus).toBeUndefined()
  })

  it('nothing is followed past its bound: no event, no status', async () => {
    const { id } = await consent(version)
    expect((await pay(id, 100)).status).toBe(201)
    // Every pay's bound (24 h after it was made) has passed before the first look.
    await runInDurableObject(stubOf(id), async (_instance, state) => {
      for (const [key, entry] of await state.storage.list<{ createdAt: number }>({ prefix: 'pay:' }))
        await state.storage.put(key, { ...entry, createdAt: entry.createdAt - 25 * 3600 * 1000 })
    })
    expect(await followedToMoneyhubStatus(id, 3)).toBeUndefined()
    expect((await paymentsListed(id))[0]).not.toHaveProperty('moneyhubStatus')
  })
})
