/**
 * A pay Moneyhub answered with its payment's id (5.2.1's `id`) keeps that id only once it is held for the pay in the id
 * index (src/objects/moneyhubIdIndex.ts): a record kept by a pay but held by none could be claimed by another pay or
 * session. When the index cannot be reached, the pay is still `made` (Moneyhub accepted it), without the id, which the
 * consent's alarm looks up and holds later.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { holderOfMoneyhubId } from '../../src/objects/moneyhubIdIndex'
import { consent, paidAtMock, pay, paymentsListed, stubOf } from '../vrp'

/** The consent's object with an id index that cannot be reached while `failing()` says so. */
async function breakIdIndex(id: string, failing: () => boolean) {
  await runInDurableObject(stubOf(id), (instance) => {
    const held = instance as unknown as { env: Env }
    const index = held.env.MONEYHUB_ID_INDEX
    const broken = new Proxy(index, {
      get(target, property) {
        if (property === 'get' && failing())
          return () => new Proxy({}, { get: () => () => Promise.reject(new Error('id index unreachable (injected)')) })
        const value = Reflect.get(target, property, target)
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
    held.env = { ...held.env, MONEYHUB_ID_INDEX: broken }
  })
}

describe("a VRP pay's payment id, held before it is kept", () => {
  it('with the index unreachable: made, without the id; the alarm finds it and holds it for the pay', async () => {
    const { id, recurringPaymentId } = await consent('5')
    let failing = true
    await breakIdIndex(id, () => failing)
    const answered = await pay(id, 240)
    expect(answered.status).toBe(201)
    expect(await answered.json()).toMatchObject({ status: 'made' })
    const [made] = (await paidAtMock(recurringPaymentId)).payments
    // Every id the consent shows is held by its pay.
    for (const listed of await paymentsListed(id))
      if (listed.paymentId)
        expect(await holderOfMoneyhubId(env, listed.paymentId as string)).toMatchObject({ holder: `${id}/${listed.pay}` })

    failing = false
    await runDurableObjectAlarm(stubOf(id))
    const [listed] = await paymentsListed(id)
    expect(listed).toMatchObject({ status: 'made', paymentId: made!.id })
    expect(await holderOfMoneyhubId(env, made!.id)).toMatchObject({ kind: 'recurring_pay', holder: `${id}/${listed!.pay}` })
  })
})
