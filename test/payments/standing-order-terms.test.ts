/**
 * Standing orders as Moneyhub's official client takes them: numberOfPayments
 * and finalPaymentDate together (its readme makes each "required if" the other
 * "is not specified"), and frequency.repeat Quarterly and Yearly (its
 * FrequencyRepeat type). The mock identity server accepts what the Worker sends.
 */
import { describe, expect, it } from 'vitest'
import { APP_ORIGIN, expectRefusal, madeAtMockFor, MOCK_BANK_ID, payThrough, pushedRequestsOf, startPaymentAt } from '../helpers'

const standingOrder = (extra: Record<string, unknown> = {}) => ({
  bankId: MOCK_BANK_ID,
  payee: { name: 'Landlord Ltd', sortCode: '200000', accountNumber: '55779911' },
  reference: 'Rent flat 3',
  frequency: { repeat: 'Monthly', day: 1 },
  firstPaymentAmount: 85000,
  firstPaymentDate: '2027-01-01',
  returnTo: `${APP_ORIGIN}/done`,
  ...extra,
})

/** Through the mock bank, approved: the claim the Worker pushed, and what the exchange made. */
async function madeThrough(body: Record<string, unknown>) {
  const { payment, returned } = await payThrough('/standing-orders', body)
  expect(new URL(returned.headers.get('location')!).searchParams.get('status')).toBe('authorised')
  const [pushed] = await pushedRequestsOf(payment.id)
  const claim = JSON.parse(pushed!.params.claims!).id_token['mh:standing_order'].value
  return { claim, made: await madeAtMockFor(payment.id) }
}

describe('POST /standing-orders', () => {
  it('takes numberOfPayments and finalPaymentDate together, and sends both', async () => {
    const { claim, made } = await madeThrough(standingOrder({ numberOfPayments: 12, finalPaymentDate: '2027-12-01' }))
    expect(claim).toMatchObject({ numberOfPayments: 12, finalPaymentDate: '2027-12-01' })
    expect(made).toHaveLength(1)
  })

  it.each(['Quarterly', 'Yearly'])('takes frequency.repeat %s', async (repeat) => {
    const { claim, made } = await madeThrough(standingOrder({ numberOfPayments: 4, frequency: { repeat, month: 3 } }))
    expect(claim.frequency).toEqual({ repeat, month: 3 })
    expect(made).toHaveLength(1)
  })

  it('still needs one of numberOfPayments and finalPaymentDate', async () => {
    const answer = await expectRefusal(await startPaymentAt('/standing-orders', standingOrder()), 'invalid_request')
    // The message names what is missing: what the caller adds.
    expect(answer.message).toMatch(/numberOfPayments/)
    expect(answer.message).toMatch(/finalPaymentDate/)
  })
})
