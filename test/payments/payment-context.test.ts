/**
 * `context` takes what Moneyhub's payments claim page lists, and nothing else:
 * "context": ["Other", "BillPayment", "PartyToParty"] (https://docs.moneyhubenterprise.com/docs/payments-claim).
 */
import { describe, expect, it } from 'vitest'
import { paymentBody, startPaymentAt } from '../helpers'

describe('payment context', () => {
  it.each(['EcommerceGoods', 'EcommerceServices', 'Gift'])('refuses %s with 400 naming context', async (context) => {
    const response = await startPaymentAt('/payments', paymentBody({ context }))
    expect(response.status).toBe(400)
    const answer = await response.json<{ error: string; message: string }>()
    expect(answer.error).toBe('invalid_request')
    expect(answer.message).toMatch(/context: .*Other.*BillPayment.*PartyToParty|context:/)
    expect(answer.message).not.toMatch(/Ecommerce/)
  })

  it.each(['Other', 'BillPayment', 'PartyToParty'])('takes %s', async (context) => {
    expect((await startPaymentAt('/payments', paymentBody({ context }))).status).toBe(201)
  })
})
