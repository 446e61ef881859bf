/**
 * Issue 27 item 3: POST /recurring-payments/:id/funds-confirmation asks Moneyhub whether the payer's account can pay
 * an amount under the consent (the official client 6.x's confirmFundsForRecurringPayment, scope
 * recurring_payment:funds_confirmation, body { amount: "10.00", currency }), for the backend; the answer as 6.x
 * declares it (fundsAvailable, fundsAvailableAt, amount, currency, recurringPaymentId), the amount in pence.
 */
import { describe, expect, it } from 'vitest'
import { backendJson, mockOrigin, payThrough, paymentBody } from '../helpers'
import { consent } from '../vrp'

const confirm = (id: string, body: unknown, headers?: Record<string, string>) =>
  backendJson('POST', `/recurring-payments/${id}/funds-confirmation`, body, headers)

describe('POST /recurring-payments/:id/funds-confirmation', () => {
  it('answers whether the funds are there, as Moneyhub says, and sends Moneyhub the amount in pounds', async () => {
    const { id, recurringPaymentId } = await consent('6')
    const yes = await confirm(id, { amount: 1050, currency: 'GBP' })
    expect(yes.status).toBe(200)
    expect(await yes.json()).toEqual({
      fundsAvailable: true,
      fundsAvailableAt: expect.any(String),
      amount: 1050,
      currency: 'GBP',
      recurringPaymentId,
    })
    const atMock = await (await fetch(`${mockOrigin()}/__mock/recurring-payments/${recurringPaymentId}`)).json<Record<string, any>>()
    expect(atMock.fundsConfirmations).toEqual([{ amount: '10.50', currency: 'GBP' }])

    await fetch(`${mockOrigin()}/__mock/recurring-payments/${recurringPaymentId}/balance?pence=1000`, { method: 'POST' })
    const no = await confirm(id, { amount: 1050, currency: 'GBP' })
    expect(no.status).toBe(200)
    expect(await no.json()).toMatchObject({ fundsAvailable: false, amount: 1050 })
  })

  it('is for the backend, for an authorised VRP consent, with a whole positive amount in pence and a currency', async () => {
    const { id } = await consent('5')
    expect((await confirm(id, { amount: 100, currency: 'GBP' }, {})).status).toBe(401)
    for (const body of [
      { amount: 0, currency: 'GBP' },
      { amount: 1.5, currency: 'GBP' },
      { amount: 100 },
      { amount: 100, currency: 'gbp' },
    ]) {
      const bad = await confirm(id, body)
      expect(bad.status).toBe(400)
      expect(await bad.json()).toMatchObject({ error: 'invalid_request' })
    }
    const single = await payThrough('/payments', paymentBody())
    const notVrp = await confirm(single.payment.id, { amount: 100, currency: 'GBP' })
    expect(notVrp.status).toBe(404)
    expect(await notVrp.json()).toMatchObject({ error: 'recurring_payment_not_found' })
    expect((await backendJson('DELETE', `/recurring-payments/${id}`)).status).toBe(200)
    const revoked = await confirm(id, { amount: 100, currency: 'GBP' })
    expect(revoked.status).toBe(410)
    expect(await revoked.json()).toMatchObject({ error: 'consent_revoked' })
  })
})
