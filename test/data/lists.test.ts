/**
 * GET /payees, /payments, /standing-orders, /recurring-payments: Moneyhub's
 * lists through the Worker (backend key), one page at a time. limit, offset and
 * Moneyhub's filters go through; data and meta (with total) are kept; links are
 * this Worker's URLs; each list uses its own client-credentials scope.
 */
import { Validator } from '@cfworker/json-schema'
import { env, SELF } from 'cloudflare:test'
import { hc } from 'hono/client'
import { describe, expect, it } from 'vitest'
import type { AppType } from '../../src/index'
import {
  APP_ORIGIN,
  backendJson,
  clientCredentialGrants,
  expectRefusal,
  inlineSchemaRefs,
  madeAtMockFor,
  MOCK_BANK_ID,
  mockOrigin,
  paymentBody,
  payThrough,
  registerUser,
} from '../helpers'
import { consent } from '../vrp'

interface Page {
  data: Record<string, any>[]
  links: { self: string; next?: string; prev?: string }
  meta: { total?: number; limit?: number; offset?: number }
}

const list = (path: string, headers?: Record<string, string>) => backendJson('GET', path, undefined, headers)
async function pageOf(path: string): Promise<Page> {
  const response = await list(path)
  if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`)
  expect(response.headers.get('cache-control')).toBe('no-store')
  return response.json()
}
/** A link of this Worker's, as a path and query to fetch again. */
const pathOf = (link: string) => {
  const url = new URL(link)
  expect(url.origin).toBe('http://proxy.test')
  return `${url.pathname}${url.search}`
}

async function addPayee(name: string, userId?: string): Promise<string> {
  const response = await backendJson('POST', '/payees', {
    name,
    sortCode: '123456',
    accountNumber: '12345678',
    ...(userId ? { userId } : {}),
  })
  if (response.status !== 201) throw new Error(`POST /payees answered ${response.status}`)
  return (await response.json<{ id: string }>()).id
}

const grantedScopes = async () => (await clientCredentialGrants()).map((g) => g.params.scope)

describe('GET /payees', () => {
  it("pages as Moneyhub does (10 by default), keeps meta.total, and links to this Worker's next and previous pages", async () => {
    const userId = await registerUser()
    const ids: string[] = []
    for (let i = 0; i < 12; i += 1) ids.push(await addPayee(`Paged ${i}`, userId))

    const first = await pageOf(`/payees?userId=${userId}`)
    expect(first.data).toHaveLength(10)
    expect(first.meta).toMatchObject({ total: 12 })
    expect(first.links.self).toMatch(/^http:\/\/proxy\.test\/payees\?/)
    expect(first.links.prev).toBeUndefined()
    const next = new URL(first.links.next!)
    expect(Object.fromEntries(next.searchParams)).toEqual({ userId, limit: '10', offset: '10' })

    const second = await pageOf(pathOf(first.links.next!))
    expect(second.data).toHaveLength(2)
    expect(second.links.next).toBeUndefined()
    expect(pathOf(second.links.prev!)).toContain('offset=0')
    expect([...first.data, ...second.data].map((p) => p.id).sort()).toEqual([...ids].sort())

    const small = await pageOf(`/payees?userId=${userId}&limit=5&offset=5`)
    expect(small.data.map((p) => p.id)).toEqual(first.data.slice(5, 10).map((p) => p.id))
    expect(small.meta).toMatchObject({ total: 12, limit: 5, offset: 5 })
    expect((await pageOf(`/payees?userId=${userId}&hasUserId=true&limit=1`)).meta.total).toBe(12)
  })
})

describe('GET /payments, /standing-orders, /recurring-payments', () => {
  it("lists Moneyhub's payments with payment:read, filtered by payeeId and dates", async () => {
    const payeeId = await addPayee('Listed shop')
    const { payment } = await payThrough('/payments', paymentBody({ payee: undefined, payeeId, amount: 432 }))
    const [made] = await madeAtMockFor(payment.id)
    const page = await pageOf(`/payments?payeeId=${payeeId}`)
    expect(page.data).toEqual([expect.objectContaining({ id: made!.id, amount: 432, payeeId })])
    expect(page.meta.total).toBe(1)
    expect(page.links).toEqual({ self: expect.stringMatching(/^http:\/\/proxy\.test\/payments\?/) })
    expect((await pageOf(`/payments?payeeId=${payeeId}&startDate=2020-01-01&endDate=2020-12-31`)).meta.total).toBe(0)
    expect(await grantedScopes()).toContain('payment:read')
  })

  it('lists standing orders (payment:read) and VRP consents (recurring_payment:read) made through the Worker', async () => {
    const payeeId = await addPayee('Landlord')
    const order = await payThrough('/standing-orders', {
      bankId: MOCK_BANK_ID,
      payeeId,
      reference: 'Rent flat 4',
      frequency: { repeat: 'Monthly', day: 1 },
      numberOfPayments: 3,
      firstPaymentAmount: 60000,
      firstPaymentDate: '2027-03-01',
      returnTo: `${APP_ORIGIN}/done`,
    })
    const consent = await payThrough('/recurring-payments', {
      bankId: MOCK_BANK_ID,
      payeeId,
      maximumIndividualAmount: 2500,
      periodicLimits: [{ amount: 10000, periodType: 'Month', periodAlignment: 'Consent' }],
      returnTo: `${APP_ORIGIN}/done`,
    })
    const [standingOrder] = await madeAtMockFor(order.payment.id)
    const [recurringPayment] = await madeAtMockFor(consent.payment.id)
    expect((await pageOf(`/standing-orders?payeeId=${payeeId}`)).data).toEqual([
      expect.objectContaining({ id: standingOrder!.id, payeeId }),
    ])
    expect((await pageOf(`/recurring-payments?payeeId=${payeeId}`)).data).toEqual([
      expect.objectContaining({ id: recurringPayment!.id, payeeId }),
    ])
    expect(await grantedScopes()).toContain('recurring_payment:read')
  })

  it("/recurring-payments passes 6.x's consent records on as they are (a submission: no id, no terms)", async () => {
    const { recurringPaymentId } = await consent('6')
    const { payeeId } = await (await fetch(`${mockOrigin()}/__mock/recurring-payments/${recurringPaymentId}`)).json<{ payeeId: string }>()
    const { data } = await pageOf(`/recurring-payments?payeeId=${payeeId}`)
    expect(data).toEqual([expect.objectContaining({ authRequestId: recurringPaymentId, status: 'completed' })])
    expect(data[0]).not.toHaveProperty('id')
  })

  it.each([
    ['/payments?limit=0', 'limit'],
    ['/payments?limit=ten', 'limit'],
    ['/payments?limit=1001', 'limit'],
    ['/standing-orders?offset=-1', 'offset'],
    ['/recurring-payments?startDate=yesterday', 'startDate'],
    ['/payments?startDate=2026-02-01&endDate=2026-01-01', 'endDate'],
    ['/payments?payeeId=not%20an%20id', 'payeeId'],
    ['/payments?hasUserId=true', 'hasUserId'],
    ['/payees?colour=red', 'colour'],
  ])('refuses %s with 400 naming %s, before calling Moneyhub', async (path, named) => {
    const error = await expectRefusal(await list(path), 'invalid_request')
    // The message names the parameter to fix.
    expect(error.message).toContain(named)
  })

  it('is for the backend only', async () => {
    for (const path of ['/payees', '/payments', '/standing-orders', '/recurring-payments']) {
      expect((await list(path, {})).status).toBe(401)
    }
  })
})

describe('the lists in the OpenAPI document and the typed client', () => {
  type Schema = Record<string, any>

  it('documents each list with its query, and real answers match the documented page', async () => {
    const { paths, components } = await (await SELF.fetch('http://proxy.test/openapi.json')).json<Schema>()
    await addPayee('Documented')
    for (const path of ['/payees', '/payments', '/standing-orders', '/recurring-payments']) {
      const get = paths[path]?.get
      expect(get, `GET ${path}`).toBeDefined()
      expect(get.parameters.map((p: Schema) => p.name)).toEqual(expect.arrayContaining(['limit', 'offset', 'userId']))
      const schema = inlineSchemaRefs(get.responses['200'].content['application/json'].schema, components.schemas) as object
      const answer = await pageOf(`${path}?limit=3`)
      expect(new Validator(schema, '2020-12', false).validate(answer).errors).toEqual([])
    }
    expect(paths['/payments'].get.parameters.map((p: Schema) => p.name)).toEqual(
      expect.arrayContaining(['payeeId', 'startDate', 'endDate']),
    )
  })

  it('reads a page with hc<AppType>()', async () => {
    const proxyFetch = ((input: RequestInfo | URL, init?: RequestInit) => SELF.fetch(new Request(input, init))) as typeof fetch
    const client = hc<AppType>('http://proxy.test', { fetch: proxyFetch, headers: { authorization: `Bearer ${env.BACKEND_API_KEY}` } })
    const response = await client.payees.$get({ query: { limit: '1' } })
    expect(response.status).toBe(200)
    const page = await response.json()
    if ('data' in page) expect(page.data.length).toBeLessThanOrEqual(1)
    else throw new Error('no page')
  })
})
