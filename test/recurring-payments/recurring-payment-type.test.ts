/**
 * A VRP consent's `type`, as Moneyhub's official client takes it: optional (its
 * parameter is `type?: string`), one type, or the array its readme shows. The
 * Worker always sends the array form; the mock identity server takes either.
 */
import { describe, expect, it } from 'vitest'
import { APP_ORIGIN, expectRefusal, madeAtMockFor, MOCK_BANK_ID, payThrough, pushedRequestsOf, startPaymentAt } from '../helpers'

const consent = (extra: Record<string, unknown> = {}) => ({
  bankId: MOCK_BANK_ID,
  payee: { name: 'Savings pot', sortCode: '200000', accountNumber: '55779911' },
  maximumIndividualAmount: 5000,
  periodicLimits: [{ amount: 20000, periodType: 'Month', periodAlignment: 'Calendar' }],
  returnTo: `${APP_ORIGIN}/done`,
  ...extra,
})

async function pushedClaim(body: Record<string, unknown>) {
  const { payment, returned } = await payThrough('/recurring-payments', body)
  expect(new URL(returned.headers.get('location')!).searchParams.get('status')).toBe('authorised')
  expect(await madeAtMockFor(payment.id)).toHaveLength(1)
  const [pushed] = await pushedRequestsOf(payment.id)
  return JSON.parse(pushed!.params.claims!).id_token['mh:recurring_payment'].value as Record<string, unknown>
}

describe('POST /recurring-payments type', () => {
  it('may be left out, and is then not sent', async () => {
    expect(await pushedClaim(consent())).not.toHaveProperty('type')
  })

  it('may be one type, sent as the array the readme shows', async () => {
    expect((await pushedClaim(consent({ type: 'Sweeping' }))).type).toEqual(['Sweeping'])
  })

  it('may be an array of Sweeping and Other, sent as it is', async () => {
    expect((await pushedClaim(consent({ type: ['Sweeping', 'Other'] }))).type).toEqual(['Sweeping', 'Other'])
  })

  it.each([['Subscription'], [[]], [['Sweeping', 'Gift']]])('refuses %j with 400 naming type', async (type) => {
    const response = await startPaymentAt('/recurring-payments', consent({ type }))
    // The message names the field to fix.
    expect((await expectRefusal(response, 'invalid_request')).message).toContain('type')
  })
})
