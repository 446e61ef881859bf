/**
 * A refund whose outcome is unknown keeps its hold on the payment's ledger (issue 26 items 6 and 7): after its
 * session record lapsed, a second full refund is refused; and DELETE /sessions/:id on it is refused (its outcome is
 * not known: settle it first), so the hold is never released while the money may have moved.
 */
import { env, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { ledgerOf } from '../../src/objects/refundLedger'
import {
  APP_ORIGIN,
  backendJson,
  Browser,
  madeAtMockFor,
  MOCK_BANK_ID,
  paymentBody,
  paymentStatusOf,
  payThrough,
  remove,
  startPaymentAt,
} from '../helpers'

const reverse = (id: string) => startPaymentAt(`/payments/${id}/reverse`, { bankId: MOCK_BANK_ID, returnTo: `${APP_ORIGIN}/refunded` })

/** A completed, reversible payment of £10 and a full refund of it whose token request got a 5xx: confirming (`fault`: after the refund was made, or before). */
async function confirmingRefund(fault = 'server_error') {
  const { payment } = await payThrough('/payments', paymentBody({ amount: 1000, readRefundAccount: true }))
  const paymentId = (await paymentStatusOf(payment.id)).paymentId as string // the mock completes it at its second read
  const started = await reverse(paymentId)
  expect(started.status).toBe(201)
  const refund = await started.json<{ id: string; authorizeUrl: string }>()
  const user = new Browser()
  await user.callback(await user.authorize(refund.authorizeUrl, 'approve', { fault }))
  expect(await paymentStatusOf(refund.id)).toMatchObject({ kind: 'reverse_payment', status: 'confirming' })
  return { paymentId, refundId: refund.id }
}

describe('a refund whose outcome is unknown keeps its hold', () => {
  it('after its session record lapsed: a second full refund is refused', async () => {
    const { paymentId, refundId } = await confirmingRefund()
    // Its KV record gone and its hold past its deadline: what a lost report and 24 h used to leave.
    await env.SESSIONS.delete(`session:${refundId}`)
    await runInDurableObject(ledgerOf(env, paymentId), async (instance, state) => {
      type Ledger = { refunds: Record<string, { until: number }> }
      const ledger = (await state.storage.get<Ledger>('ledger'))!
      ledger.refunds[refundId]!.until = Math.floor(Date.now() / 1000) - 1
      ;(instance as unknown as { ledger: Ledger }).ledger = ledger
      await state.storage.put('ledger', ledger)
    })
    const second = await reverse(paymentId)
    expect(second.status).toBe(409)
    expect(await second.json()).toMatchObject({ error: 'refund_in_flight' })
  })

  it('DELETE /sessions/:id on it is refused (409 outcome_unknown) and the hold stays', async () => {
    const { paymentId, refundId } = await confirmingRefund()
    const deleted = await remove(refundId)
    expect(deleted.status).toBe(409)
    expect(await deleted.json()).toMatchObject({ error: 'outcome_unknown' })
    expect(await paymentStatusOf(refundId)).toMatchObject({ status: 'confirming' })
    const second = await reverse(paymentId)
    expect(second.status).toBe(409)
    expect(await second.json()).toMatchObject({ error: 'refund_in_flight' })
  })

  it('a person settles it with the refund record’s own payment id, as reconciliation does (paymentId), and the hold becomes a refund', async () => {
    const { paymentId, refundId } = await confirmingRefund('server_error_after_payment')
    // The refund's own payment record at Moneyhub (checked against the refund when settled: settle-checks-the-record.test.ts).
    const own = (await madeAtMockFor(refundId))[0]!.paymentId!
    const settle = (body: unknown) => backendJson('POST', `/unresolved-sessions/${refundId}/settle`, body)
    const wrongField = await settle({ reversePaymentId: 'refund-record-1' })
    expect(wrongField.status).toBe(400)
    expect(await wrongField.json()).toMatchObject({ error: 'invalid_request' }) // no such field: a refund is settled with paymentId
    const settled = await settle({ paymentId: own })
    expect(settled.status).toBe(200)
    expect(await settled.json()).toMatchObject({ status: 'authorised', paymentId: own })
    const second = await reverse(paymentId)
    expect(second.status).toBe(409) // the whole amount is refunded now
  })
})
