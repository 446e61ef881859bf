/**
 * GET /recurring-payments/:id (at once, ?wait, /events): a VRP consent's
 * status, Moneyhub's record of it, and the payments made under it through
 * the proxy. Against the mock over HTTP.
 */
import { SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { APP_ORIGIN, backendAuth, backendJson, Browser, MOCK_BANK_ID, payThrough, startedPayment } from '../helpers'

const request = (extra: Record<string, unknown> = {}) => ({
  bankId: MOCK_BANK_ID,
  payee: { name: 'Savings Pot', sortCode: '500000', accountNumber: '44556677' },
  reference: 'Save',
  maximumIndividualAmount: 500,
  periodicLimits: [{ amount: 500, periodType: 'Month', periodAlignment: 'Calendar' }],
  type: ['Sweeping'],
  returnTo: `${APP_ORIGIN}/done`,
  ...extra,
})

const consentOf = async (id: string, query = '', headers: Record<string, string> = backendAuth()) =>
  SELF.fetch(`http://proxy.test/recurring-payments/${id}${query}`, { headers })

const pay = (id: string, amount: number) =>
  backendJson(
    'POST',
    `/recurring-payments/${id}/pay`,
    { amount, payeeRef: 'Save', payerRef: 'Sweep' },
    { ...backendAuth(), 'idempotency-key': crypto.randomUUID() },
  )

describe('GET /recurring-payments/:id', () => {
  it('shows the consent’s status, Moneyhub’s record of it, and the payments made under it; revoked after DELETE', async () => {
    const { payment } = await payThrough('/recurring-payments', request())
    const before = await consentOf(payment.id)
    expect(before.status).toBe(200)
    const view = await before.json<Record<string, any>>()
    expect(view).toMatchObject({
      id: payment.id,
      kind: 'recurring_payment',
      status: 'authorised',
      consent: { id: view.recurringPaymentId, status: 'Authorised', recurringPayment: { maximumIndividualAmount: 500 } },
      payments: [],
    })
    const made = await (await pay(payment.id, 120)).json<{ paymentId: string }>()
    expect((await pay(payment.id, 900)).status).toBe(422) // refused before sending: not a payment
    expect((await (await consentOf(payment.id)).json<Record<string, any>>()).payments).toEqual([
      {
        pay: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        status: 'made',
        paymentId: made.paymentId,
        amount: 120,
        payeeRef: 'Save',
        payerRef: 'Sweep',
        createdAt: expect.any(Number),
      },
    ])
    expect((await backendJson('DELETE', `/recurring-payments/${payment.id}`)).status).toBe(200)
    const after = await (await consentOf(payment.id)).json<Record<string, any>>()
    expect(after).toMatchObject({ status: 'revoked', consent: { status: 'Revoked' }, payments: [{ paymentId: made.paymentId }] })
    const events = await (await consentOf(payment.id, '/events')).text()
    expect(events).toMatch(/^event: status\ndata: \{.*"status":"revoked"/)
  })

  it('?wait answers the moment a pending consent is authorised; its page reads it with the session secret', async () => {
    const user = new Browser()
    const started = await startedPayment('/recurring-payments', request())
    const waiting = consentOf(started.id, '?wait=20')
    const back = await user.authorize(started.authorizeUrl)
    await user.callback(back)
    const view = await (await waiting).json<Record<string, any>>()
    expect(view).toMatchObject({ id: started.id, status: 'authorised', recurringPaymentId: expect.any(String) })
    expect((await consentOf(started.id, '', {})).status).toBe(403)
    expect((await consentOf(started.id, '', { 'x-session-secret': started.secret })).status).toBe(200)
  })

  it('a session of another kind is not a VRP consent: 404', async () => {
    const started = await startedPayment('/standing-orders', {
      bankId: MOCK_BANK_ID,
      payee: { name: 'Landlord Ltd', sortCode: '200000', accountNumber: '55779911' },
      reference: 'Rent',
      frequency: { repeat: 'Monthly', day: 1 },
      numberOfPayments: 12,
      firstPaymentAmount: 85000,
      firstPaymentDate: '2027-01-01',
    })
    const answer = await consentOf(started.id)
    expect(answer.status).toBe(404)
    expect(await answer.json()).toMatchObject({ error: 'recurring_payment_not_found' })
  })
})
