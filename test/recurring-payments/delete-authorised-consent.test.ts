/**
 * DELETE /sessions/:id on an authorised VRP consent (issue 26 item 7) revokes it at Moneyhub first, then deletes
 * the session; the record of the pays made under it is kept, and DELETE /recurring-payments/:id afterwards answers
 * the revoked consent rather than 404. When Moneyhub cannot revoke it, nothing is deleted.
 */
import { env, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it, vi } from 'vitest'
import { backendJson, mockOrigin, paymentStatusOf, remove } from '../helpers'
import { consent, paidAtMock as atMock, pay } from '../vrp'

/** Moneyhub's identity API refuses connections while `work` runs (the Worker and its Durable Objects run in this isolate). */
async function whileRevocationFails<T>(work: () => Promise<T>): Promise<T> {
  const real = globalThis.fetch
  const down = vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
    const url = input instanceof Request ? input.url : String(input)
    return url.startsWith(`${mockOrigin()}/recurring-payments/`)
      ? Promise.reject(new TypeError('Network connection lost.'))
      : real(input, init)
  })
  try {
    return await work()
  } finally {
    down.mockRestore()
  }
}
const paysKept = (id: string) =>
  runInDurableObject(
    env.SESSION_COORDINATOR.get(env.SESSION_COORDINATOR.idFromName(id)),
    async (_, state) => (await state.storage.list({ prefix: 'pay:' })).size,
  )

describe('DELETE /sessions/:id on an authorised VRP consent', () => {
  it('revokes it at Moneyhub first; its pays are kept; DELETE /recurring-payments/:id then answers it revoked', async () => {
    const { id, recurringPaymentId } = await consent('5')
    expect((await pay(id, 100)).status).toBe(201)
    expect((await remove(id)).status).toBe(204)
    expect((await atMock(recurringPaymentId)).status).toBe('Revoked')
    expect(await paysKept(id)).toBe(1)
    const again = await backendJson('DELETE', `/recurring-payments/${id}`)
    expect(again.status).toBe(200)
    expect(await again.json()).toMatchObject({ id, status: 'revoked', recurringPaymentId })
    expect((await pay(id, 100)).status).not.toBe(201)
  })

  it('when Moneyhub cannot revoke it: an error, nothing deleted, the mandate still revocable', async () => {
    const { id, recurringPaymentId } = await consent('5')
    const failed = await whileRevocationFails(() => remove(id))
    expect(failed.status).toBe(502)
    expect((await atMock(recurringPaymentId)).status).not.toBe('Revoked')
    expect(await paymentStatusOf(id)).toMatchObject({ status: 'authorised' })
    expect((await backendJson('DELETE', `/recurring-payments/${id}`)).status).toBe(200)
    expect((await atMock(recurringPaymentId)).status).toBe('Revoked')
  })
})
