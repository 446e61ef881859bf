/**
 * Payee names as Moneyhub recommends them: "18 characters, supported characters - /^[a-zA-Z0-9\s&]+$/"
 * (https://docs.moneyhubenterprise.com/docs/payee-management). A name outside the rule is refused before anything is
 * sent, with a 400 naming the field, at POST /payees and wherever a payee is given in full.
 */
import { describe, expect, it } from 'vitest'
import { backendJson, expectRefusal, MOCK_BANK_ID, paymentBody, startPaymentAt } from '../helpers'

const account = { sortCode: '123456', accountNumber: '12345678' }
const BAD = [
  ['19 characters', 'Nineteen Characters'],
  ['an apostrophe', "O'Brien Plumbing"],
  ['a hyphen', 'Smith-Jones'],
  ['a full stop', 'Acme Ltd.'],
] as const

describe('payee names', () => {
  it.each(BAD)('POST /payees refuses a name with %s (400, name)', async (_, name) => {
    const answer = await expectRefusal(await backendJson('POST', '/payees', { name, ...account }), 'invalid_request')
    // The message names the field (the rule is the header's): what the caller fixes.
    expect(answer.message).toMatch(/name: /)
  })

  it.each(BAD)('a payment to a payee given in full refuses a name with %s (400, payee.name)', async (_, name) => {
    const response = await startPaymentAt('/payments', paymentBody({ payee: { name, ...account } }))
    expect((await expectRefusal(response, 'invalid_request')).message).toMatch(/payee\.name: /)
  })

  it('a standing order to a payee given in full applies the same rule', async () => {
    const response = await startPaymentAt('/standing-orders', {
      bankId: MOCK_BANK_ID,
      payee: { name: 'Landlord Ltd.', ...account },
      reference: 'Rent',
      frequency: { repeat: 'Monthly', day: 1 },
      numberOfPayments: 12,
      firstPaymentAmount: 85000,
      firstPaymentDate: '2027-01-01',
    })
    expect((await expectRefusal(response, 'invalid_request')).message).toMatch(/payee\.name: /)
  })

  it('takes letters, digits, spaces and & up to 18 characters', async () => {
    const name = 'Smith & Sons 2024 '.slice(0, 18)
    const response = await backendJson('POST', '/payees', { name, ...account })
    expect(response.status).toBe(201)
    expect((await startPaymentAt('/payments', paymentBody({ payee: { name, ...account } }))).status).toBe(201)
  })
})
