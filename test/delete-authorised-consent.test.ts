/**
 * DELETE /sessions/:id on an authorised VRP consent (issue 26 item 7) revokes it at Moneyhub first, then deletes
 * the session; the record of the pays made under it is kept, and DELETE /recurring-payments/:id afterwards answers
 * the revoked consent rather than 404. When Moneyhub cannot revoke it, nothing is deleted.
 */
import { env, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it, vi } from 'vitest'
import { APP_ORIGIN, backendAuth, backendJson, MOCK_BANK_ID, mockOrigin, paymentStatusOf, payThrough, remove } from './helpers'

async function consent() {
  const { payment } = await payThrough('/recurring-payments', {
    bankId: MOCK_BANK_ID,
    payee: { name: 'Streaming Ltd', sortCode: '300000', accountNumber: '87654321' },
    reference: 'Subscription',
    maximumIndividualAmount: 500,
    periodicLimits: [{ amount: 500, periodType: 'Month', periodAlignment: 'Calendar' }],
    type: ['Other'],
    returnTo: `${APP_ORIGIN}/done`,
  })
  const view = await paymentStatusOf(payment.id)
  expect(view.status).toBe('authorised')
  return { id: payment.id, recurringPaymentId: view.recurringPaymentId as string }
}

const atMock = async (recurringPaymentId: string) =>
  (await fetch(`${mockOrigin()}/__mock/recurring-payments/${recurringPaymentId}`)).json<{ status: string; payments: unknown[] }>()
const pay = (id: string) =>
  backendJson(
    'POST',
    `/recurring-payments/${id}/pay`,
    { amount: 100, payeeRef: 'Streaming', payerRef: 'Monthly plan' },
    {
      ...backendAuth(),
      'idempotency-key': crypto.randomUUID(),
    },
  )
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
    const { id, recurringPaymentId } = await consent()
    expect((await pay(id)).status).toBe(201)
    expect((await remove(id)).status).toBe(204)
    expect((await atMock(recurringPaymentId)).status).toBe('Revoked')
    expect(await paysKept(id)).toBe(1)
    const again = await backendJson('DELETE', `/recurring-payments/${id}`)
    expect(again.status).toBe(200)
    expect(await again.json()).toMatchObject({ id, status: 'revoked', recurringPaymentId })
    expect((await pay(id)).status).not.toBe(201)
  })

  it('when Moneyhub cannot revoke it: an error, nothing deleted, the mandate still revocable', async () => {
    const { id, recurringPaymentId } = await consent()
    const failed = await whileRevocationFails(() => remove(id))
    expect(failed.status).toBe(502)
    expect((await atMock(recurringPaymentId)).status).not.toBe('Revoked')
    expect(await paymentStatusOf(id)).toMatchObject({ status: 'authorised' })
    expect((await backendJson('DELETE', `/recurring-payments/${id}`)).status).toBe(200)
    expect((await atMock(recurringPaymentId)).status).toBe('Revoked')
  })
})
