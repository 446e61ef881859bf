/**
 * Reconciliation (issue 17 item 2): a confirming payment is looked up in
 * Moneyhub's own records (GET {identity}/payments, payment:read) from the
 * session's Durable Object alarm, first within 30 s. Found: `authorised` with
 * the id, and a webhook. Not there once the window has passed: `failed`
 * (`payment_not_made`). Two candidates: it stays confirming and says so. An
 * authorised journey without its id (issue 16 item 6) is completed the same way.
 * A timeout, and the window's end, take short deadlines: test/short-deadlines/.
 */
import { runDurableObjectAlarm } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import {
  approvedWithFault,
  Browser,
  eventually,
  madeAtMockFor,
  MOCK_BANK_ID,
  paymentBody,
  paymentStatusOf,
  sleepMs,
  standingOrderBody,
  startedPayment,
  stubOf,
  webhookEvents,
} from '../helpers'

async function payWithFault(fault: string, options: { body?: Record<string, unknown> } = {}) {
  return (await approvedWithFault('/payments', options.body ?? paymentBody(), fault)).payment
}

describe('a confirming payment is reconciled from Moneyhub’s records', () => {
  it('a 5xx after the payment was made: authorised on the first look', async () => {
    const payment = await payWithFault('server_error_after_payment')
    const [made] = await madeAtMockFor(payment.id)
    await runDurableObjectAlarm(stubOf(payment.id))
    expect(await paymentStatusOf(payment.id)).toMatchObject({ status: 'authorised', paymentId: made!.id })
  })

  it('two payments match (same amount, payee, references, time): it stays confirming and says so', async () => {
    const body = paymentBody()
    const user = new Browser()
    const first = await startedPayment('/payments', body, { 'idempotency-key': crypto.randomUUID() })
    await user.callback(await user.authorize(first.authorizeUrl))
    const payment = await payWithFault('server_error_after_payment', { body })
    await runDurableObjectAlarm(stubOf(payment.id))
    const status = await paymentStatusOf(payment.id)
    expect(status).toMatchObject({ status: 'confirming', reason: 'match_ambiguous' })
    expect(status.paymentId).toBeUndefined()
  })
})

describe('waiting for the outcome', () => {
  it('a status request waiting on a confirming payment gets the outcome the moment it is reconciled', async () => {
    const payment = await payWithFault('server_error_after_payment')
    const waiting = paymentStatusOf(payment.id, '?wait=20')
    await sleepMs(500)
    await runDurableObjectAlarm(stubOf(payment.id))
    expect(await waiting).toMatchObject({ status: 'authorised', paymentId: expect.any(String) })
  })
})

describe('an authorised journey without its id claim (issue 16 item 6)', () => {
  it('a payment: its id is found in Moneyhub’s records; a webhook says so', async () => {
    const payment = await payWithFault('id_claim_missing')
    expect(await paymentStatusOf(payment.id)).toMatchObject({ status: 'authorised', reason: 'id_pending' })
    const [made] = await madeAtMockFor(payment.id)
    await runDurableObjectAlarm(stubOf(payment.id))
    const status = await paymentStatusOf(payment.id)
    expect(status).toMatchObject({ status: 'authorised', paymentId: made!.id })
    expect(status.reason).toBeUndefined()
    const delivered = await eventually(
      () => webhookEvents(payment.id),
      (found) => found.length >= 2,
    )
    expect(delivered.map((e) => e.eventId)).toEqual([`${payment.id}.authorised.id_pending`, `${payment.id}.authorised`])
  })

  // The mock lists StandingOrderRequest as the official client declares it (amounts a Balance, frequency the repeat).
  it('a standing order: its id is found in Moneyhub’s list of standing orders, in the declared shape', async () => {
    const { payment: order } = await approvedWithFault('/standing-orders', standingOrderBody(), 'id_claim_missing')
    expect(await paymentStatusOf(order.id)).toMatchObject({ status: 'authorised', reason: 'id_pending' })
    const [made] = await madeAtMockFor(order.id)
    await runDurableObjectAlarm(stubOf(order.id))
    const status = await paymentStatusOf(order.id)
    expect(status).toMatchObject({ status: 'authorised', standingOrderId: made!.id })
    expect(status.reason).toBeUndefined()
  })

  it('a VRP consent: never linked by likeness (issue 26 item 2), it stays without an id, consent_unverified', async () => {
    const terms = {
      bankId: MOCK_BANK_ID,
      payee: { name: 'Savings', sortCode: '123456', accountNumber: '12345678' },
      reference: `V${crypto.randomUUID().slice(0, 8)}`,
      validFromDate: '2026-01-01',
      validToDate: '2030-12-31',
      maximumIndividualAmount: 2_000,
      periodicLimits: [{ amount: 5_000, periodType: 'Month', periodAlignment: 'Calendar' }],
    }
    const { payment: consent } = await approvedWithFault('/recurring-payments', terms, 'id_claim_missing')
    expect(await paymentStatusOf(consent.id)).toMatchObject({ status: 'authorised', reason: 'id_pending' })
    await runDurableObjectAlarm(stubOf(consent.id))
    const status = await paymentStatusOf(consent.id)
    expect(status).toMatchObject({ status: 'authorised', reason: 'consent_unverified' })
    expect(status.recurringPaymentId).toBeUndefined()
  })
})
