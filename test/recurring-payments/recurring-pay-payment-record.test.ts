/**
 * Issue 27, "Done when": a VRP pay's payment record, in the official client's declared shape (`Payment`:
 * moneyhub/moneyhub-api-client src/schema/payment.ts, the same in 5.2.1 and 6.x: id, amount, status,
 * paymentSubmissionId, charges, …), passes through the Worker in both versions' pay answers: 5.2.1's gives the
 * payment's id (read at once), 6.x's only a paymentSubmissionId (the payment found later in Moneyhub's list by it).
 * Either way the pay's kept answer ends with Moneyhub's record of that very payment.
 */
import { runDurableObjectAlarm } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { consent, paidAtMock, pay, stubOf, VERSIONS } from '../vrp'

describe.each(VERSIONS)('a VRP pay’s payment record (client %s.x)', (version) => {
  it('is kept with the pay, in the declared Payment shape, and a retry with the key answers it', async () => {
    const { id, recurringPaymentId } = await consent(version)
    const key = crypto.randomUUID()
    expect((await pay(id, 125, key)).status).toBe(201)
    const [atMock] = (await paidAtMock(recurringPaymentId)).payments
    await runDurableObjectAlarm(stubOf(id))
    const again = await pay(id, 125, key)
    expect(again.status).toBe(201)
    const made = await again.json<Record<string, any>>()
    expect(made).toMatchObject({ status: 'made', paymentId: atMock!.id })
    expect(made.payment).toMatchObject({
      id: atMock!.id,
      amount: 125,
      currency: 'GBP',
      payeeRef: 'Streaming',
      payerRef: 'Monthly plan',
      paymentSubmissionId: atMock!.paymentSubmissionId,
      status: expect.stringMatching(/^(inProgress|completed)$/),
      charges: [],
      initiatedAt: expect.any(String),
    })
  })
})
