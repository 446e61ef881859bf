/**
 * Refunds: POST /payments/:id/reverse reverses an authorised payment once
 * Moneyhub says it is reversible (asked at once, not from the short cache),
 * through a reverse_payment session on the same machine.
 */
import { describe, expect, it } from 'vitest'
import { forgetPayments } from '../../src/payments/payments'
import {
  APP_ORIGIN,
  Browser,
  expectRefusal,
  madeAtMockFor,
  MOCK_BANK_ID,
  paymentBody,
  paymentStatusOf,
  payThrough,
  startPaymentAt,
  started,
  startedPayment,
} from '../helpers'

const reverse = (id: string, body: Record<string, unknown> = { bankId: MOCK_BANK_ID }, headers: Record<string, string> = {}) =>
  startPaymentAt(`/payments/${id}/reverse`, body, headers)

describe('POST /payments/:id/reverse', () => {
  it('refunds a completed payment end to end: a reverse_payment session, authorised, with the refund’s ids', async () => {
    const { payment } = await payThrough('/payments', paymentBody({ amount: 1000, readRefundAccount: true }))
    expect(await paymentStatusOf(payment.id)).toMatchObject({ payment: { status: 'inProgress' } })
    // The reverse route reads Moneyhub's record afresh: the mock has completed the payment by its second read.
    const response = await reverse(payment.id, { bankId: MOCK_BANK_ID, amount: 400, returnTo: `${APP_ORIGIN}/refunded` })
    expect(response.status).toBe(201)
    const refund = await response.json<{ id: string; authorizeUrl: string }>()

    const user = new Browser()
    const returned = await user.callback(await user.authorize(refund.authorizeUrl))
    expect(new URL(returned.headers.get('location')!).searchParams.get('status')).toBe('authorised')
    const made = await madeAtMockFor(refund.id)
    expect(made).toEqual([expect.objectContaining({ flow: 'reverse_payment' })])
    expect(made[0]!.value).toMatchObject({ paymentId: (await paymentStatusOf(payment.id)).paymentId, amount: 400 })
    forgetPayments()
    const view = await paymentStatusOf(refund.id)
    expect(view).toMatchObject({
      kind: 'reverse_payment',
      status: 'authorised',
      reversePaymentId: made[0]!.id,
      paymentId: expect.any(String),
      payment: { amount: 400 },
    })
  })

  it('refuses a payment Moneyhub has not completed, a payment not authorised, and what is not a payment', async () => {
    const pending = await startedPayment('/payments', paymentBody())
    expect(await (await reverse(pending.id)).json()).toMatchObject({ error: 'payment_not_reversible' })

    const rejected = await payThrough(
      '/payments',
      paymentBody({ payee: { name: 'Rejected Payee', sortCode: '123456', accountNumber: '12345678' } }),
    )
    await paymentStatusOf(rejected.payment.id) // first read: inProgress; the reverse route's read finds it rejected
    const refused = await reverse(rejected.payment.id)
    await expectRefusal(refused, 'payment_not_reversible')

    const connection = await started({})
    expect((await reverse(connection.id)).status).toBe(404)
  })

  it('a retried refund with the same Idempotency-Key is the same refund, even after it was made', async () => {
    const { payment } = await payThrough('/payments', paymentBody({ amount: 800, readRefundAccount: true }))
    await paymentStatusOf(payment.id) // inProgress; the reverse route's fresh read finds it completed
    const key = { 'idempotency-key': crypto.randomUUID() }
    const body = { bankId: MOCK_BANK_ID, amount: 300, returnTo: `${APP_ORIGIN}/refunded` }
    const first = await (await reverse(payment.id, body, key)).json<{ id: string; authorizeUrl: string }>()
    const user = new Browser()
    await user.callback(await user.authorize(first.authorizeUrl))
    const again = await reverse(payment.id, body, key)
    expect(again.status).toBe(201)
    expect(await again.json()).toEqual(first)
    expect(await madeAtMockFor(first.id)).toHaveLength(1)
  })

  it('checks its body like every start', async () => {
    const { payment } = await payThrough('/payments', paymentBody())
    expect((await reverse(payment.id, { bankId: MOCK_BANK_ID, amount: 0 })).status).toBe(400)
    expect((await reverse(payment.id, { bankId: MOCK_BANK_ID, paymentId: 'x' })).status).toBe(400)
  })
})
