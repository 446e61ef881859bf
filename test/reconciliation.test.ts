/**
 * Reconciliation (issue 17 item 2): a confirming payment is looked up in
 * Moneyhub's own records (GET {identity}/payments, payment:read) from the
 * session's Durable Object alarm, first within 30 s. Found: `authorised` with
 * the id, and a webhook. Not there once the window has passed: `failed`
 * (`payment_not_made`). Two candidates: it stays confirming and says so. An
 * authorised journey without its id (issue 16 item 6) is completed the same way.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import {
  Browser,
  eventually,
  madeAtMockFor,
  MOCK_BANK_ID,
  paymentBody,
  paymentStatusOf,
  proxyWith,
  sameBrowserThrough,
  sleepMs,
  startedPayment,
  webhooksFor,
} from './helpers'

const stubOf = (id: string) => env.SESSION_COORDINATOR.get(env.SESSION_COORDINATOR.idFromName(id))
const alarmOf = (id: string) => runInDurableObject(stubOf(id), (_instance, state) => state.storage.getAlarm())
const events = async (id: string) => (await webhooksFor(id)).map((w) => JSON.parse(w.body) as Record<string, unknown>)

async function payWithFault(
  fault: string,
  options: { serve?: (request: Request) => Promise<Response>; body?: Record<string, unknown>; extra?: Record<string, string> } = {},
) {
  const user = new Browser()
  const payment = await startedPayment('/payments', options.body ?? paymentBody())
  const back = await user.authorize(payment.authorizeUrl, 'approve', { fault, ...options.extra })
  // The callback (where the exchange runs) through `serve`: the launch keeps the usual settings.
  await (options.serve ? sameBrowserThrough(user, options.serve) : user).callback(back)
  return payment
}

describe('a confirming payment is reconciled from Moneyhub’s records', () => {
  it('made after a timeout: found on the alarm (first within 30 s), authorised with its id and a webhook', async () => {
    const payment = await payWithFault('slow', { serve: proxyWith({ UPSTREAM_TIMEOUT_MS: '300' }), extra: { delay_ms: '1200' } })
    expect(await paymentStatusOf(payment.id)).toMatchObject({ status: 'confirming', reason: 'upstream_timeout' })
    const alarm = await alarmOf(payment.id)
    expect(alarm).not.toBeNull()
    expect(alarm! - Date.now()).toBeLessThanOrEqual(30_000)
    const [made] = await eventually(
      () => madeAtMockFor(payment.id),
      (found) => found.length === 1,
    )

    expect(await runDurableObjectAlarm(stubOf(payment.id))).toBe(true)
    const status = await paymentStatusOf(payment.id)
    expect(status).toMatchObject({ status: 'authorised', paymentId: made!.id })
    expect(status.reason).toBeUndefined()
    const delivered = await eventually(
      () => events(payment.id),
      (found) => found.length >= 2,
    )
    expect(delivered.map((e) => [e.eventId, e.status, e.paymentId])).toEqual([
      [`${payment.id}.confirming.upstream_timeout`, 'confirming', undefined],
      [`${payment.id}.authorised`, 'authorised', made!.id],
    ])
  })

  it('a 5xx after the payment was made: authorised on the first look', async () => {
    const payment = await payWithFault('server_error_after_payment')
    const [made] = await madeAtMockFor(payment.id)
    await runDurableObjectAlarm(stubOf(payment.id))
    expect(await paymentStatusOf(payment.id)).toMatchObject({ status: 'authorised', paymentId: made!.id })
  })

  it('not made: still confirming while the window is open, looked at again later; failed payment_not_made once it has passed', async () => {
    const payment = await payWithFault('server_error', { serve: proxyWith({ RECONCILIATION_WINDOW_SECONDS: '3' }) })
    expect(await madeAtMockFor(payment.id)).toHaveLength(0)
    await runDurableObjectAlarm(stubOf(payment.id))
    expect(await paymentStatusOf(payment.id)).toMatchObject({ status: 'confirming', reason: 'token_endpoint_unavailable' })
    expect(await alarmOf(payment.id)).not.toBeNull() // looked at again

    await sleepMs(3_200)
    await runDurableObjectAlarm(stubOf(payment.id))
    expect(await paymentStatusOf(payment.id)).toMatchObject({ status: 'failed', error: 'payment_not_made' })
    const delivered = await eventually(
      () => events(payment.id),
      (found) => found.length >= 2,
    )
    expect(delivered.map((e) => e.status)).toEqual(['confirming', 'failed'])
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
      () => events(payment.id),
      (found) => found.length >= 2,
    )
    expect(delivered.map((e) => e.eventId)).toEqual([`${payment.id}.authorised.id_pending`, `${payment.id}.authorised`])
  })

  it('a standing order: its id is found in Moneyhub’s list of standing orders', async () => {
    const user = new Browser()
    const order = await startedPayment('/standing-orders', {
      bankId: MOCK_BANK_ID,
      payee: { name: 'Landlord', sortCode: '123456', accountNumber: '12345678' },
      reference: `R${crypto.randomUUID().slice(0, 8)}`,
      frequency: { repeat: 'Monthly', day: 1 },
      numberOfPayments: 12,
      firstPaymentAmount: 50_000,
      firstPaymentDate: '2030-01-01',
    })
    await user.callback(await user.authorize(order.authorizeUrl, 'approve', { fault: 'id_claim_missing' }))
    expect(await paymentStatusOf(order.id)).toMatchObject({ status: 'authorised', reason: 'id_pending' })
    const [made] = await madeAtMockFor(order.id)
    await runDurableObjectAlarm(stubOf(order.id))
    const status = await paymentStatusOf(order.id)
    expect(status).toMatchObject({ status: 'authorised', standingOrderId: made!.id })
    expect(status.reason).toBeUndefined()
  })

  it('a VRP consent: its id is found in Moneyhub’s list of recurring payments', async () => {
    const user = new Browser()
    const consent = await startedPayment('/recurring-payments', {
      bankId: MOCK_BANK_ID,
      payee: { name: 'Savings', sortCode: '123456', accountNumber: '12345678' },
      reference: `V${crypto.randomUUID().slice(0, 8)}`,
      validFromDate: '2026-01-01',
      validToDate: '2030-12-31',
      maximumIndividualAmount: 2_000,
      periodicLimits: [{ amount: 5_000, periodType: 'Month', periodAlignment: 'Calendar' }],
    })
    await user.callback(await user.authorize(consent.authorizeUrl, 'approve', { fault: 'id_claim_missing' }))
    expect(await paymentStatusOf(consent.id)).toMatchObject({ status: 'authorised', reason: 'id_pending' })
    const [made] = await madeAtMockFor(consent.id)
    await runDurableObjectAlarm(stubOf(consent.id))
    const status = await paymentStatusOf(consent.id)
    expect(status).toMatchObject({ status: 'authorised', recurringPaymentId: made!.id })
    expect(status.reason).toBeUndefined()
  })
})
