/**
 * Issue 26's rule "nothing unknown is dropped; otherwise it stays unresolved and a person is told", for VRP pays: a
 * consent with a pay whose outcome is unknown (confirming: look-alikes, `match_ambiguous`; a gateway's 502) is listed by
 * GET /unresolved-sessions, naming the pay (`pay`, the reference GET /recurring-payments/:id lists) and why, and a
 * person settles that pay (POST /unresolved-sessions/:id/settle with `pay`): with a paymentId held for it first and
 * matching every field the pay fixed, or as not made (only while unresolved). A settled pay answers so on the
 * consent's list and on a replay of its Idempotency-Key, and a webhook says so. Both client versions.
 */
import { env, runDurableObjectAlarm } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { getConfig } from '../../src/config'
import { identityRequest } from '../../src/oidc/identity'
import { holderOfMoneyhubId } from '../../src/objects/moneyhubIdIndex'
import { backendJson, eventually, webhooksFor } from '../helpers'
import { consent, failAfterPaying, failBeforePaying, paidAtMock, pay, paymentsListed, stubOf, VERSIONS } from '../vrp'

interface Listed {
  id: string
  kind: string
  status: string
  pays?: { pay: string; reason?: string; since: number }[]
}
const listed = async () => {
  const response = await backendJson('GET', '/unresolved-sessions?limit=1000')
  expect(response.status).toBe(200)
  return (await response.json<{ sessions: Listed[] }>()).sessions
}
const entryOf = async (id: string) => (await listed()).find((s) => s.id === id)
const settle = (id: string, body: unknown) => backendJson('POST', `/unresolved-sessions/${id}/settle`, body)
const payEventsOf = (id: string, count: number) =>
  eventually(
    async () => (await webhooksFor(id)).map((w) => JSON.parse(w.body) as Record<string, unknown>).filter((e) => e.pay),
    (events) => events.length >= count,
  )

/** The pay references GET /recurring-payments/:id lists, oldest first. */
const refsOf = async (id: string) => (await paymentsListed(id)).map((p) => p.pay as string)

describe.each(VERSIONS)('a VRP pay whose outcome is unknown, shown to a person and settled by one (client %s.x)', (version) => {
  const pence = (base: number) => base + Number(version)

  it('two look-alikes: the consent is listed with both pays; each is settled with its own payment; then it leaves the list', async () => {
    const { id, recurringPaymentId } = await consent(version)
    const keys = [crypto.randomUUID(), crypto.randomUUID()]
    for (const key of keys) {
      await failAfterPaying(recurringPaymentId)
      expect((await pay(id, pence(210), key)).status).toBe(202)
    }
    await runDurableObjectAlarm(stubOf(id))
    const [first, second] = await refsOf(id)
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const entry = await entryOf(id)
    expect(entry).toMatchObject({ id, kind: 'recurring_payment', status: 'authorised' })
    expect(entry!.pays).toEqual([
      expect.objectContaining({ pay: first, reason: 'match_ambiguous' }),
      expect.objectContaining({ pay: second, reason: 'match_ambiguous' }),
    ])

    const made = (await paidAtMock(recurringPaymentId)).payments.map((p) => p.id)
    const settled = await settle(id, { pay: first, paymentId: made[0] })
    expect(settled.status).toBe(200)
    expect(await settled.json()).toMatchObject({ pay: first, status: 'made', paymentId: made[0] })
    expect(await holderOfMoneyhubId(env, made[0]!)).toMatchObject({ kind: 'recurring_pay', holder: `${id}/${first}` })
    const replay = await pay(id, pence(210), keys[0])
    expect(replay.status).toBe(201)
    expect(await replay.json()).toMatchObject({ status: 'made', paymentId: made[0] })
    // Still listed: the other pay is unknown.
    expect((await entryOf(id))!.pays!.map((p) => p.pay)).toEqual([second])

    // One record settles one pay.
    const held = await settle(id, { pay: second, paymentId: made[0] })
    expect(held.status).toBe(409)
    expect(await held.json()).toMatchObject({ error: 'moneyhub_id_held' })
    expect((await settle(id, { pay: second, paymentId: made[1] })).status).toBe(200)
    expect(await paymentsListed(id)).toEqual([
      expect.objectContaining({ pay: first, status: 'made', paymentId: made[0] }),
      expect.objectContaining({ pay: second, status: 'made', paymentId: made[1] }),
    ])
    expect(await entryOf(id)).toBeUndefined()
    const events = await payEventsOf(id, 2)
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ pay: first, payStatus: 'made', paymentId: made[0], status: 'authorised' }),
        expect.objectContaining({ pay: second, payStatus: 'made', paymentId: made[1] }),
      ]),
    )
    const again = await settle(id, { pay: second, notMade: true })
    expect(again.status).toBe(409)
    expect(await again.json()).toMatchObject({ error: 'pay_not_unresolved' })
  })

  it('a record that differs from the pay in a field it fixed is refused, naming the field; nothing is held', async () => {
    const { id, recurringPaymentId } = await consent(version)
    const other = await consent(version)
    await failAfterPaying(recurringPaymentId)
    const key = crypto.randomUUID()
    expect((await pay(id, pence(220), key)).status).toBe(202)
    const [ref] = await refsOf(id)
    // Payments Moneyhub made that no pay here holds: another amount under this consent, the same under another.
    const config = await getConfig(env)
    const direct = (consentId: string, amount: number) =>
      identityRequest(config, {
        method: 'POST',
        path: `/recurring-payments/${consentId}/pay`,
        scope: 'recurring_payment:create',
        body: { amount, payeeRef: 'Streaming', payerRef: 'Monthly plan' },
      })
    await direct(recurringPaymentId, pence(230))
    await direct(other.recurringPaymentId, pence(220))
    const otherAmount = (await paidAtMock(recurringPaymentId)).payments.find((p) => p.amount === pence(230))!.id
    const otherConsent = (await paidAtMock(other.recurringPaymentId)).payments[0]!.id
    for (const [paymentId, error] of [
      [otherAmount, 'record_amount_mismatch'],
      [otherConsent, 'record_consent_mismatch'],
    ] as const) {
      const refused = await settle(id, { pay: ref, paymentId })
      expect(refused.status, error).toBe(409)
      expect(await refused.json()).toMatchObject({ error })
      expect(await holderOfMoneyhubId(env, paymentId)).toBeUndefined()
    }
    expect((await pay(id, pence(220), key)).status).toBe(202)
    expect((await entryOf(id))!.pays!.map((p) => p.pay)).toEqual([ref])
  })

  it('a pay that never reached Moneyhub, settled as not made: listed so, answered 422 on a replay, a webhook; once only', async () => {
    const { id, recurringPaymentId } = await consent(version)
    await failBeforePaying(recurringPaymentId)
    const key = crypto.randomUUID()
    expect((await pay(id, pence(240), key)).status).toBe(202)
    const made = await pay(id, pence(250))
    expect(made.status).toBe(201)
    const [ref, madeRef] = await refsOf(id)
    expect((await entryOf(id))!.pays).toEqual([expect.objectContaining({ pay: ref, reason: 'upstream_502' })])
    // Not deleted meanwhile: that would drop the pay from the looks and the list.
    const deleted = await backendJson('DELETE', `/sessions/${id}`)
    expect(deleted.status).toBe(409)
    expect(await deleted.json()).toMatchObject({ error: 'outcome_unknown' })

    // A made pay is not unknown: never said not made.
    const refusedMade = await settle(id, { pay: madeRef, notMade: true })
    expect(refusedMade.status).toBe(409)
    expect(await refusedMade.json()).toMatchObject({ error: 'pay_not_unresolved' })

    const settled = await settle(id, { pay: ref, notMade: true })
    expect(settled.status).toBe(200)
    expect(await settled.json()).toMatchObject({ pay: ref, status: 'not_made', settled: { by: 'backend', at: expect.any(Number) } })
    expect((await paymentsListed(id))[0]).toMatchObject({ pay: ref, status: 'not_made', settled: { by: 'backend' } })
    const replay = await pay(id, pence(240), key)
    expect(replay.status).toBe(422)
    expect(await replay.json()).toMatchObject({ error: 'payment_not_made' })
    expect(await entryOf(id)).toBeUndefined()
    expect(await payEventsOf(id, 1)).toEqual([expect.objectContaining({ pay: ref, payStatus: 'not_made', status: 'authorised' })])
    expect((await settle(id, { pay: ref, notMade: true })).status).toBe(409)
    // The alarm leaves it as the person said.
    await runDurableObjectAlarm(stubOf(id))
    expect((await pay(id, pence(240), key)).status).toBe(422)
  })

  it('bad input is a clear 4xx', async () => {
    const { id } = await consent(version)
    expect((await pay(id, pence(260))).status).toBe(201)
    const [ref] = await refsOf(id)
    expect((await settle(id, { pay: 'not a ref!', notMade: true })).status).toBe(400)
    const field = await settle(id, { pay: ref, standingOrderId: 'so-1' })
    expect(field.status).toBe(400)
    expect(await field.json()).toMatchObject({ error: 'settle_field_mismatch' })
    const unknown = await settle(id, { pay: 'A'.repeat(43), notMade: true })
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toMatchObject({ error: 'pay_not_found' })
  })
})
