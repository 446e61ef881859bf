/**
 * A person's Moneyhub id settles a session only when Moneyhub's record of it is the session's (docs/reconciliation.md,
 * "When a person must look"): the record is read and checked with reconciliation's own rule (the kind's `match`, the
 * user, the payer, the time), and a record of other terms is refused (409, a code naming what differs) with nothing
 * held and the session unchanged. No such record: 404. A record that cannot be read leaves the person's word.
 */
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { holderOfMoneyhubId } from '../../src/objects/moneyhubIdIndex'
import {
  APP_ORIGIN,
  backendJson,
  Browser,
  madeAtMockFor,
  MOCK_BANK_ID,
  mockOrigin,
  paymentBody,
  paymentStatusOf,
  payThrough,
  registerUser,
  startedPayment,
  standingOrderBody,
  startPaymentAt,
} from '../helpers'

/** A session started at `path`, approved at the mock with `fault`. */
async function through(path: string, body: unknown, fault: string) {
  const user = new Browser()
  const session = await startedPayment(path, body)
  await user.callback(await user.authorize(session.authorizeUrl, 'approve', { fault }))
  expect(await paymentStatusOf(session.id)).toMatchObject({ status: 'confirming' })
  return session.id
}
/** A confirming payment whose record was made at the mock (its answer never came): the session and its record's id. */
async function madeButUnknown(body: unknown = paymentBody()) {
  const id = await through('/payments', body, 'server_error_after_payment')
  const [made] = await madeAtMockFor(id)
  expect(made).toBeDefined()
  return { id, paymentId: made!.id }
}
const settle = (id: string, body: unknown) => backendJson('POST', `/unresolved-sessions/${id}/settle`, body)

/** Refused with `code`: the session is still confirming and the id is held by nobody. */
async function refused(id: string, body: Record<string, string>, status: number, code: string) {
  const response = await settle(id, body)
  expect(response.status).toBe(status)
  expect(await response.json()).toMatchObject({ error: code })
  expect(await paymentStatusOf(id)).toMatchObject({ status: 'confirming' })
  expect(await holderOfMoneyhubId(env, Object.values(body)[0]!)).toBeUndefined()
}

describe('a person settles a session with a Moneyhub id: its record is read and checked', () => {
  it('its own record settles it: authorised with the id, held for it', async () => {
    const { id, paymentId } = await madeButUnknown()
    const settled = await settle(id, { paymentId })
    expect(settled.status).toBe(200)
    expect(await settled.json()).toMatchObject({ id, status: 'authorised', paymentId })
    expect(await holderOfMoneyhubId(env, paymentId)).toMatchObject({ kind: 'payment', holder: id })
  })

  it('a record of another amount is refused (409 record_amount_mismatch), nothing held; its own still settles it', async () => {
    const { id, paymentId } = await madeButUnknown(paymentBody({ amount: 1234 }))
    const other = await madeButUnknown(paymentBody({ amount: 4321 }))
    await refused(id, { paymentId: other.paymentId }, 409, 'record_amount_mismatch')
    // The other session can still be settled with its own record.
    expect((await settle(other.id, { paymentId: other.paymentId })).status).toBe(200)
    expect((await settle(id, { paymentId })).status).toBe(200)
  })

  it('a record of another payeeRef is refused (409 record_payee_ref_mismatch)', async () => {
    const terms = paymentBody()
    const { id } = await madeButUnknown(terms)
    const other = await madeButUnknown({ ...terms, payeeRef: `Other${crypto.randomUUID().slice(0, 6)}` })
    await refused(id, { paymentId: other.paymentId }, 409, 'record_payee_ref_mismatch')
  })

  it('a record made for another user is refused (409 record_user_mismatch)', async () => {
    const [alice, bob] = await Promise.all([registerUser(), registerUser()])
    const terms = paymentBody()
    const { id } = await madeButUnknown({ ...terms, userId: alice })
    const other = await madeButUnknown({ ...terms, userId: bob })
    await refused(id, { paymentId: other.paymentId }, 409, 'record_user_mismatch')
  })

  it('an id Moneyhub has no record of is refused (404 payment_not_found), nothing held', async () => {
    const { id } = await madeButUnknown()
    await refused(id, { paymentId: `pay-${crypto.randomUUID()}` }, 404, 'payment_not_found')
  })

  it('a record that cannot be read leaves the person’s word: authorised with the id', async () => {
    const { id } = await madeButUnknown(paymentBody({ amount: 1111 }))
    const other = await madeButUnknown(paymentBody({ amount: 2222 }))
    // Moneyhub answers the record in a shape that cannot be read: what it says is unknown, the person decides.
    expect((await fetch(`${mockOrigin()}/__mock/record-shape?key=${other.paymentId}&shape=list`, { method: 'POST' })).status).toBe(204)
    const settled = await settle(id, { paymentId: other.paymentId })
    expect(settled.status).toBe(200)
    expect(await settled.json()).toMatchObject({ id, status: 'authorised', paymentId: other.paymentId })
  })

  it('a refund is not settled with a payment that is not a refund (409 record_kind_mismatch), nor with another payment’s refund (409 record_reversal_mismatch)', async () => {
    const refundable = async () => {
      const { payment } = await payThrough('/payments', paymentBody({ amount: 900, readRefundAccount: true }))
      return (await paymentStatusOf(payment.id)).paymentId as string
    }
    const reverse = async (paymentId: string) => {
      const started = await startPaymentAt(`/payments/${paymentId}/reverse`, {
        bankId: MOCK_BANK_ID,
        amount: 300,
        returnTo: `${APP_ORIGIN}/refunded`,
      })
      expect(started.status).toBe(201)
      return started.json<{ id: string; authorizeUrl: string }>()
    }
    const [paid, otherPaid] = await Promise.all([refundable(), refundable()])
    const refund = await reverse(paid)
    const user = new Browser()
    await user.callback(await user.authorize(refund.authorizeUrl, 'approve', { fault: 'server_error' }))
    expect(await paymentStatusOf(refund.id)).toMatchObject({ status: 'confirming' })
    // A payment (not a refund) with a record of its own.
    const { paymentId } = await madeButUnknown(paymentBody({ amount: 300 }))
    await refused(refund.id, { paymentId }, 409, 'record_kind_mismatch')
    // A refund of another payment, made at Moneyhub (its answer never came): its own payment record.
    const otherRefund = await reverse(otherPaid)
    await user.callback(await user.authorize(otherRefund.authorizeUrl, 'approve', { fault: 'server_error_after_payment' }))
    const otherRecord = (await madeAtMockFor(otherRefund.id))[0]!.paymentId!
    expect(otherRecord).toEqual(expect.any(String))
    await refused(refund.id, { paymentId: otherRecord }, 409, 'record_reversal_mismatch')
  })

  it('a standing order: its own record settles it; another first amount is 409 record_amount_mismatch; an unknown id 404', async () => {
    const made = async (body: unknown) => {
      const id = await through('/standing-orders', body, 'server_error_after_payment')
      return { id, standingOrderId: (await madeAtMockFor(id))[0]!.id }
    }
    const terms = standingOrderBody()
    const [own, other] = await Promise.all([made(terms), made({ ...terms, firstPaymentAmount: 40_000 })])
    await refused(own.id, { standingOrderId: other.standingOrderId }, 409, 'record_amount_mismatch')
    await refused(own.id, { standingOrderId: `so-${crypto.randomUUID()}` }, 404, 'standing_order_not_found')
    const settled = await settle(own.id, { standingOrderId: own.standingOrderId })
    expect(settled.status).toBe(200)
    expect(await settled.json()).toMatchObject({ id: own.id, status: 'authorised', standingOrderId: own.standingOrderId })
  })

  it('a VRP consent: its own record settles it; another maximum amount is 409 record_amount_mismatch', async () => {
    const terms = {
      bankId: MOCK_BANK_ID,
      payee: { name: 'Savings', sortCode: '123456', accountNumber: '12345678' },
      reference: `V${crypto.randomUUID().slice(0, 8)}`,
      validFromDate: '2026-01-01',
      validToDate: '2030-12-31',
      maximumIndividualAmount: 2_000,
      periodicLimits: [{ amount: 5_000, periodType: 'Month', periodAlignment: 'Calendar' }],
    }
    const made = async (body: unknown) => {
      const id = await through('/recurring-payments', body, 'server_error_after_payment')
      return { id, recurringPaymentId: (await madeAtMockFor(id))[0]!.id }
    }
    const [own, other] = await Promise.all([made(terms), made({ ...terms, maximumIndividualAmount: 3_000 })])
    await refused(own.id, { recurringPaymentId: other.recurringPaymentId }, 409, 'record_amount_mismatch')
    const settled = await settle(own.id, { recurringPaymentId: own.recurringPaymentId })
    expect(settled.status).toBe(200)
    expect(await settled.json()).toMatchObject({ id: own.id, status: 'authorised', recurringPaymentId: own.recurringPaymentId })
  })
})
