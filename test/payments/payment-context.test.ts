/**
 * `context` takes what Moneyhub's payments claim page lists, and nothing else:
 * "context": ["Other", "BillPayment", "PartyToParty"] (https://docs.moneyhubenterprise.com/docs/payments-claim).
 */
import { describe, expect, it } from 'vitest'
import { expectRefusal, paymentBody, startPaymentAt } from '../helpers'

describe('payment context', () => {
  it.each(['EcommerceGoods', 'EcommerceServices', 'Gift'])('refuses %s with 400 naming context', async (context) => {
    const answer = await expectRefusal(await startPaymentAt('/payments', paymentBody({ context })), 'invalid_request')
    // The message names the field to fix.
    expect(answer.message).toMatch(/context/)
  })

  it.each(['Other', 'BillPayment', 'PartyToParty'])('takes %s', async (context) => {
    expect((await startPaymentAt('/payments', paymentBody({ context }))).status).toBe(201)
  })
})
