/**
 * Refunds are bounded (issue 17 item 5) and taken by this Worker's payment
 * session or Moneyhub's payment id, reversible as Moneyhub's record says
 * (issue 16 item 7): the payment's ledger (objects/refundLedger.ts) holds each
 * refund in flight and keeps what was refunded.
 */
import { describe, expect, it } from 'vitest'
import {
  APP_ORIGIN,
  Browser,
  expectRefusal,
  MOCK_BANK_ID,
  paymentBody,
  paymentStatusOf,
  payThrough,
  remove,
  sleepMs,
  startPaymentAt,
} from '../helpers'

const reverse = (id: string, amount?: number) =>
  startPaymentAt(`/payments/${id}/reverse`, { bankId: MOCK_BANK_ID, ...(amount ? { amount } : {}), returnTo: `${APP_ORIGIN}/refunded` })

/** A completed, reversible payment of `amount` pence: its session and Moneyhub's id. */
async function reversiblePayment(amount: number, extra: Record<string, unknown> = { readRefundAccount: true }) {
  const { payment } = await payThrough('/payments', paymentBody({ amount, ...extra }))
  const view = await paymentStatusOf(payment.id) // the mock completes a payment at its second read: the reverse route's
  return { sessionId: payment.id, paymentId: view.paymentId as string }
}

/** The user approves (or denies) a refund at the bank. */
async function finish(refund: Response, decision: 'approve' | 'deny' = 'approve') {
  expect(refund.status).toBe(201)
  const { id, authorizeUrl } = await refund.json<{ id: string; authorizeUrl: string }>()
  const user = new Browser()
  await user.callback(await user.authorize(authorizeUrl, decision))
  return id
}

/** Asks for a refund until the answer is no longer `refund_in_flight` (the ended refund's report is on its way). */
async function reverseOnceSettled(id: string, amount?: number) {
  const until = Date.now() + 15_000
  for (;;) {
    const response = await reverse(id, amount)
    if (response.status !== 409 || Date.now() > until) return response
    const body = await response.clone().json<{ error: string }>()
    if (body.error !== 'refund_in_flight') return response
    await sleepMs(200)
  }
}

describe('bounded refunds', () => {
  // The amount that remains is in the message only (docs/payments.md: "whose message says how many pence remain"): asserted there.
  it('at most what remains, one in flight at a time: anything else is 409 with the remaining amount', async () => {
    const { sessionId, paymentId } = await reversiblePayment(1000)
    const tooMuch = await reverse(sessionId, 1001)
    expect(tooMuch.status).toBe(409)
    expect(await tooMuch.json()).toMatchObject({ error: 'refund_exceeds_remaining', message: expect.stringContaining('1000 pence') })

    const first = await reverse(sessionId, 400)
    expect(first.status).toBe(201)
    // A second refund while the first is in flight: by the session or by Moneyhub's id, the same payment.
    for (const id of [sessionId, paymentId]) {
      const second = await reverse(id, 100)
      expect(second.status).toBe(409)
      expect(await second.json()).toMatchObject({ error: 'refund_in_flight', message: expect.stringContaining('600 pence') })
    }
    await finish(first)
    expect((await paymentStatusOf(sessionId)).status).toBe('authorised')

    // 400 refunded: 600 remain.
    const over = await reverseOnceSettled(paymentId, 700)
    expect(over.status).toBe(409)
    expect(await over.json()).toMatchObject({ error: 'refund_exceeds_remaining', message: expect.stringContaining('600 pence') })
    // A refund the user denies at the bank releases its hold.
    await finish(await reverse(paymentId, 600), 'deny')
    // The whole remainder (no amount): then nothing is left, and Moneyhub's record says the payment is no longer reversible.
    await finish(await reverseOnceSettled(paymentId))
    const none = await reverseOnceSettled(sessionId, 1)
    expect(none.status).toBe(409)
    expect(await none.json()).toMatchObject({ error: 'payment_not_reversible' })
  })

  it('a deleted refund session releases its hold at once', async () => {
    const { sessionId } = await reversiblePayment(500)
    const held = await reverse(sessionId, 500)
    expect(held.status).toBe(201)
    expect((await reverse(sessionId, 1)).status).toBe(409)
    expect((await remove((await held.json<{ id: string }>()).id)).status).toBe(204)
    expect((await reverse(sessionId, 500)).status).toBe(201)
  })

  it('refunds asked at once: exactly one is held', async () => {
    const { paymentId } = await reversiblePayment(1000)
    const answers = await Promise.all(Array.from({ length: 5 }, () => reverse(paymentId, 300)))
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409])
  })

  it("by Moneyhub's payment id, reversible as Moneyhub's record says (isReversible), and 404 for an id Moneyhub does not know", async () => {
    // Completed, but made without readRefundAccount: Moneyhub's record says isReversible false.
    const plain = await reversiblePayment(300, {})
    const refused = await reverse(plain.paymentId, 100)
    // The message names the setting the payment needed (readRefundAccount): what the caller changes next time.
    expect((await expectRefusal(refused, 'payment_not_reversible')).message).toContain('readRefundAccount')

    const { paymentId } = await reversiblePayment(300)
    const id = await finish(await reverse(paymentId, 300))
    expect(await paymentStatusOf(id)).toMatchObject({ kind: 'reverse_payment', status: 'authorised', reversePaymentId: expect.any(String) })

    const unknown = await reverse(crypto.randomUUID(), 100)
    expect(unknown.status).toBe(404)
  })
})
