/**
 * The mock's lists at {identity}: GET /payments, /standing-orders,
 * /recurring-payments and /payees, each with the official client's scope, page
 * as Moneyhub's do (limit 10 by default, offset, { data, links, meta }), and
 * the standing orders and VRP consents made at code exchanges show up in them
 * with what a caller matches on.
 */
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { getConfig } from '../../src/config'
import { clientTokenFor } from '../../src/oidc/identity'
import { APP_ORIGIN, madeAtMockFor, MOCK_BANK_ID, mockOrigin, paymentBody, payThrough, registerUser } from '../helpers'

interface Page {
  data: Record<string, any>[]
  links: { self: string; next?: string; prev?: string }
  meta: { limit: number; offset: number; total: number }
}

/** A list at the mock, read with a client-credentials token of `scope`. */
async function listAtMock(path: string, scope: string) {
  const token = await clientTokenFor(await getConfig(env), scope)
  return fetch(`${mockOrigin()}${path}`, { headers: { authorization: `Bearer ${token.access_token}` } })
}
const pageOf = async (path: string, scope: string) => {
  const response = await listAtMock(path, scope)
  if (response.status !== 200) throw new Error(`${path} answered ${response.status}: ${await response.text()}`)
  return response.json<Page>()
}

async function addPayee(name: string, userId?: string) {
  const token = await clientTokenFor(await getConfig(env), 'payee:create')
  const response = await fetch(`${mockOrigin()}/payees`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name, sortCode: '123456', accountNumber: '12345678', ...(userId ? { userId } : {}) }),
  })
  return (await response.json<{ data: { id: string } }>()).data.id
}

describe("the mock's lists", () => {
  it('pages payees: 10 by default, then limit and offset, with links and meta.total', async () => {
    const userId = await registerUser()
    const ids: string[] = []
    for (let i = 0; i < 12; i += 1) ids.push(await addPayee(`Payee ${i}`, userId))
    const first = await pageOf(`/payees?userId=${userId}`, 'payee:read')
    expect(first.data).toHaveLength(10)
    expect(first.meta).toEqual({ limit: 10, offset: 0, total: 12 })
    expect(first.links.self).toBe(`${mockOrigin()}/payees?userId=${userId}`)
    expect(first.links.prev).toBeUndefined()
    const next = new URL(first.links.next!)
    expect(Object.fromEntries(next.searchParams)).toEqual({ userId, limit: '10', offset: '10' })
    const second = await pageOf(`${next.pathname}${next.search}`, 'payee:read')
    expect(second.data).toHaveLength(2)
    expect(second.links.next).toBeUndefined()
    expect(second.links.prev).toBeDefined()
    expect([...first.data, ...second.data].map((p) => p.id).sort()).toEqual([...ids].sort())
  })

  it('lists payments with payment:read, filtered by payeeId, userId and dates', async () => {
    const payeeId = await addPayee('Listed shop')
    const { payment } = await payThrough('/payments', paymentBody({ payee: undefined, payeeId, amount: 321 }))
    const [made] = await madeAtMockFor(payment.id)
    const listed = await pageOf(`/payments?payeeId=${payeeId}`, 'payment:read')
    expect(listed.meta.total).toBe(1)
    expect(listed.data[0]).toMatchObject({
      id: made!.id,
      amount: 321,
      payeeId,
      status: expect.any(String),
      initiatedAt: expect.any(String),
    })
    const userId = listed.data[0]!.userId as string
    expect((await pageOf(`/payments?userId=${userId}&payeeId=${payeeId}`, 'payment:read')).meta.total).toBe(1)
    expect((await pageOf(`/payments?payeeId=${payeeId}&endDate=2020-01-01`, 'payment:read')).meta.total).toBe(0)
    expect((await pageOf(`/payments?payeeId=${payeeId}&startDate=2020-01-01`, 'payment:read')).meta.total).toBe(1)
  })

  it('lists the standing orders made at exchanges (payment:read) as the client declares them: amount, payee, reference, dates and status', async () => {
    const payeeId = await addPayee('Landlord')
    const { payment } = await payThrough('/standing-orders', {
      bankId: MOCK_BANK_ID,
      payeeId,
      reference: 'Rent flat 9',
      frequency: { repeat: 'Monthly', day: 1 },
      numberOfPayments: 6,
      firstPaymentAmount: 70000,
      firstPaymentDate: '2027-02-01',
      returnTo: `${APP_ORIGIN}/done`,
    })
    const [made] = await madeAtMockFor(payment.id)
    const listed = await pageOf(`/standing-orders?payeeId=${payeeId}`, 'payment:read')
    expect(listed.data).toEqual([
      expect.objectContaining({
        id: made!.id,
        payeeId,
        // The official client's StandingOrderRequest (dist/schema/standing-order.d.ts): amounts a Balance, frequency the repeat.
        status: 'InitiationPending',
        createdAt: expect.any(String),
        standingOrder: expect.objectContaining({
          reference: 'Rent flat 9',
          frequency: 'Monthly',
          numberOfPayments: 6,
          firstPaymentAmount: { amount: { value: 70000, majorUnits: 700, minorUnits: 0, currency: 'GBP' }, date: '2027-02-01' },
          firstPaymentDate: '2027-02-01',
        }),
      }),
    ])
    expect(listed.data[0]).not.toHaveProperty('clientId')
  })

  it('lists the VRP consents made at exchanges (recurring_payment:read)', async () => {
    const payeeId = await addPayee('Savings pot')
    const { payment } = await payThrough('/recurring-payments', {
      bankId: MOCK_BANK_ID,
      payeeId,
      reference: 'Sweep 9',
      maximumIndividualAmount: 5000,
      periodicLimits: [{ amount: 20000, periodType: 'Month', periodAlignment: 'Calendar' }],
      type: ['Sweeping'],
      returnTo: `${APP_ORIGIN}/done`,
    })
    const [made] = await madeAtMockFor(payment.id)
    const listed = await pageOf(`/recurring-payments?payeeId=${payeeId}`, 'recurring_payment:read')
    expect(listed.data).toEqual([
      expect.objectContaining({
        id: made!.id,
        payeeId,
        status: 'Authorised',
        recurringPayment: expect.objectContaining({ reference: 'Sweep 9', maximumIndividualAmount: 5000 }),
      }),
    ])
    // The official client reads this list with recurring_payment:read, not payment:read.
    expect((await listAtMock('/recurring-payments', 'payment:read')).status).toBe(403)
  })

  it.each([
    ['limit=0', 'limit'],
    ['limit=ten', 'limit'],
    ['offset=-1', 'offset'],
    ['startDate=yesterday', 'startDate'],
    ['colour=red', 'colour'],
  ])('refuses ?%s with 400 naming it', async (query, named) => {
    const response = await listAtMock(`/payments?${query}`, 'payment:read')
    expect(response.status).toBe(400)
    expect((await response.json<{ message: string }>()).message).toContain(named)
  })
})
