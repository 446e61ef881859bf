/**
 * Standing orders and recurring payments (VRP) are sessions of other kinds on
 * the same machine: the same start, launch, callback, status and webhook; only
 * the scope, the claim and the id read back from the id_token differ.
 */
import { describe, expect, it } from 'vitest'
import { madeAtMockFor, MOCK_BANK_ID, paymentStatusOf, payThrough, pushedRequestsOf, sleepMs, webhooksFor, APP_ORIGIN } from '../helpers'

const payee = { name: 'Landlord Ltd', sortCode: '200000', accountNumber: '55779911' }

const standingOrder = (extra: Record<string, unknown> = {}) => ({
  bankId: MOCK_BANK_ID,
  payee,
  reference: 'Rent flat 2',
  frequency: { repeat: 'Monthly', day: 1 },
  numberOfPayments: 12,
  firstPaymentAmount: 85000,
  firstPaymentDate: '2027-01-01',
  returnTo: `${APP_ORIGIN}/done`,
  ...extra,
})

const recurringPayment = (extra: Record<string, unknown> = {}) => ({
  bankId: MOCK_BANK_ID,
  payee,
  reference: 'Sweep',
  maximumIndividualAmount: 50000,
  periodicLimits: [{ amount: 200000, periodType: 'Month', periodAlignment: 'Calendar' }],
  type: ['Sweeping'],
  returnTo: `${APP_ORIGIN}/done`,
  ...extra,
})

/** Through the mock bank and back, approved: the user returns `authorised`, the kind's scope was pushed, and the exchange made one object. */
async function authorisedThrough(path: string, body: unknown, scope: string) {
  const { payment, returned } = await payThrough(path, body)
  expect(new URL(returned.headers.get('location')!).searchParams.get('status')).toBe('authorised')
  const [pushed] = await pushedRequestsOf(payment.id)
  expect(pushed!.params.scope).toBe(`${scope} openid id:${MOCK_BANK_ID}`)
  const made = await madeAtMockFor(payment.id)
  expect(made).toEqual([expect.objectContaining({ flow: scope })])
  return { payment, made: made[0]! }
}

describe('POST /standing-orders', () => {
  it('end to end: the standing order is made at the exchange, and GET /payments/:id shows its id', async () => {
    const { payment, made } = await authorisedThrough('/standing-orders', standingOrder(), 'standing_orders:create')
    expect(made.value).toMatchObject({ reference: 'Rent flat 2', firstPaymentAmount: 85000, numberOfPayments: 12 })
    const view = await paymentStatusOf(payment.id)
    expect(view).toMatchObject({ kind: 'standing_order', status: 'authorised', standingOrderId: made.id })
    expect(view).not.toHaveProperty('payment')
    await sleepMs(1_000)
    expect((await webhooksFor(payment.id)).map((w) => JSON.parse(w.body))).toEqual([
      expect.objectContaining({ kind: 'standing_order', status: 'authorised', standingOrderId: made.id }),
    ])
  })

  it('a denied standing order fails and makes nothing', async () => {
    const { payment } = await payThrough('/standing-orders', standingOrder(), 'deny')
    expect(await paymentStatusOf(payment.id)).toMatchObject({ kind: 'standing_order', status: 'failed', error: 'access_denied' })
    expect(await madeAtMockFor(payment.id)).toEqual([])
  })
})

describe('POST /recurring-payments', () => {
  it('end to end: the VRP consent is made at the exchange, and GET /payments/:id shows its id', async () => {
    const { payment, made } = await authorisedThrough('/recurring-payments', recurringPayment(), 'recurring_payment:create')
    expect(await paymentStatusOf(payment.id)).toMatchObject({
      kind: 'recurring_payment',
      status: 'authorised',
      recurringPaymentId: made.id,
    })
  })
})
