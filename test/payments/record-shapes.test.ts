/**
 * Moneyhub's single records arrive as its official client declares them, and the Worker reads both shapes.
 * moneyhub/moneyhub-api-client, src/request.ts: `ApiResponse<T>` = `{data, links?, meta?}`, which getPayment, addPayee
 * and getPayee answer (src/requests/types/payments.ts, payees.ts); registerUser and getUser answer a bare `User`
 * (src/requests/types/users-and-connections.ts). The mock answers each as declared, and, switched per record
 * (POST /__mock/record-shape), in the other shape: the Worker gives the same answer either way.
 */
import { describe, expect, it } from 'vitest'
import { forgetPayments } from '../../src/payments/payments'
import { backendJson, mockOrigin, paymentBody, paymentStatusOf, payThrough } from '../helpers'

/** The mock answers the record `key` names (a record id, a payee's externalId, a user's clientUserId) in `shape`. */
const answerAs = async (key: string, shape: 'bare' | 'data') =>
  expect(
    (await fetch(`${mockOrigin()}/__mock/record-shape?key=${encodeURIComponent(key)}&shape=${shape}`, { method: 'POST' })).status,
  ).toBe(204)

const account = { sortCode: '123456', accountNumber: '12345678' }

describe('single records, {data: T} and bare T', () => {
  it.each(['data', 'bare'] as const)('POST /payees reads the new payee answered %s', async (shape) => {
    const externalId = `shape-${crypto.randomUUID()}`
    if (shape === 'bare') await answerAs(externalId, 'bare')
    const response = await backendJson('POST', '/payees', { name: 'Shape Test', ...account, externalId })
    expect(response.status).toBe(201)
    expect(await response.json()).toMatchObject({ id: expect.any(String), name: 'Shape Test', externalId, ...account })
  })

  it.each(['data', 'bare'] as const)("GET /payments/:id shows Moneyhub's payment answered %s", async (shape) => {
    const { payment } = await payThrough('/payments', paymentBody({ amount: 275 }))
    const { paymentId } = await paymentStatusOf(payment.id)
    if (shape === 'bare') await answerAs(paymentId, 'bare')
    forgetPayments()
    expect(await paymentStatusOf(payment.id)).toMatchObject({ status: 'authorised', paymentId, payment: { id: paymentId, amount: 275 } })
  })

  it.each(['bare', 'data'] as const)('POST /users and GET /users/:id read the user answered %s', async (shape) => {
    const clientUserId = `shape-${crypto.randomUUID()}`
    if (shape === 'data') await answerAs(clientUserId, 'data')
    const created = await backendJson('POST', '/users', { clientUserId })
    expect(created.status).toBe(201)
    const { userId } = await created.json<{ userId: string }>()
    expect(userId).toEqual(expect.any(String))
    if (shape === 'data') await answerAs(userId, 'data')
    const read = await backendJson('GET', `/users/${userId}`)
    expect(read.status).toBe(200)
    expect(await read.json()).toMatchObject({ userId, clientUserId })
  })

  it('a record answered as neither (data a list) is a 502, never a 500', async () => {
    const externalId = `shape-${crypto.randomUUID()}`
    await answerAs(externalId, 'list' as 'data')
    const response = await backendJson('POST', '/payees', { name: 'Shape Test', ...account, externalId })
    expect(response.status).toBe(502)
    expect(await response.json()).toMatchObject({ error: 'upstream_invalid_response' })
  })
})
