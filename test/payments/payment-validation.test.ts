/**
 * Every field of a payment start is checked at the edge, before anything is
 * stored or sent upstream: amounts, references, sort codes and account numbers
 * outside their rules get a 400 that names the field and the rule.
 */
import { describe, expect, it } from 'vitest'
import { expectRefusal, MOCK_BANK_ID, paymentBody, startPaymentAt } from '../helpers'

/** The refusal's message: one code for every rule, so the message naming the field and the rule is what the caller fixes by. */
async function refused(path: string, body: unknown) {
  return (await expectRefusal(await startPaymentAt(path, body), 'invalid_request')).message
}

describe('POST /payments refuses fields outside their rules', () => {
  it.each([
    ['amount 0', { amount: 0 }, /amount: must be more than 0 pence/],
    ['a negative amount', { amount: -150 }, /amount: must be more than 0 pence/],
    ['pounds instead of pence', { amount: 1.5 }, /amount: must be a whole number of pence/],
    ['an amount as a string', { amount: '150' }, /amount/],
    ['a payee reference of 19 characters', { payeeRef: 'A'.repeat(19) }, /payeeRef: must be at most 18 characters/],
    ['an empty payer reference', { payerRef: '' }, /payerRef: must not be empty/],
    ['a reference with a newline', { payeeRef: 'Line\nbreak' }, /payeeRef: must be printable ASCII/],
    [
      'a sort code with dashes',
      { payee: { name: 'A', sortCode: '12-34-56', accountNumber: '12345678' } },
      /payee.sortCode: must be 6 digits/,
    ],
    ['a sort code of 5 digits', { payee: { name: 'A', sortCode: '12345', accountNumber: '12345678' } }, /payee.sortCode: must be 6 digits/],
    [
      'an account number of 7 digits',
      { payee: { name: 'A', sortCode: '123456', accountNumber: '1234567' } },
      /payee.accountNumber: must be 8 digits/,
    ],
    ['both payeeId and payee', { payeeId: 'abc' }, /give payeeId or payee, not both/],
    ['an unknown field', { tip: 1 }, /tip/],
  ])('%s', async (_, change, message) => {
    expect(await refused('/payments', paymentBody(change))).toMatch(message)
  })

  it('a returnTo outside ALLOWED_ORIGINS', async () => {
    await expectRefusal(await startPaymentAt('/payments', paymentBody({ returnTo: 'https://evil.example/' })), 'return_to_not_allowed')
  })

  it('standing orders and recurring payments too', async () => {
    const order = {
      bankId: MOCK_BANK_ID,
      payee: { name: 'A', sortCode: '123456', accountNumber: '12345678' },
      reference: 'Rent',
      frequency: { repeat: 'Monthly', day: 1 },
      numberOfPayments: 12,
      firstPaymentAmount: 100,
      firstPaymentDate: '2027-01-01',
    }
    expect(await refused('/standing-orders', { ...order, firstPaymentAmount: 0 })).toMatch(/firstPaymentAmount: must be more than 0 pence/)
    expect(await refused('/standing-orders', { ...order, reference: 'R'.repeat(19) })).toMatch(/reference: must be at most 18/)
    expect(await refused('/standing-orders', { ...order, firstPaymentDate: '2027-02-30' })).toMatch(/must be a real date/)
    const vrp = {
      bankId: MOCK_BANK_ID,
      payee: { name: 'A', sortCode: '1234567', accountNumber: '12345678' },
      maximumIndividualAmount: 100,
      periodicLimits: [{ amount: 1000, periodType: 'Month', periodAlignment: 'Calendar' }],
      type: ['Sweeping'],
    }
    expect(await refused('/recurring-payments', vrp)).toMatch(/payee.sortCode: must be 6 digits/)
    expect(await refused('/recurring-payments', { ...vrp, payee: order.payee, maximumIndividualAmount: 2.5 })).toMatch(
      /whole number of pence/,
    )
  })
})
