/**
 * Issue 26 item 8: a restart of the consent's Durable Object while a pay is at Moneyhub. The pay was recorded
 * (`sending`) before it was sent, so the caller gets 202 `confirming` (never a 500), the pay is listed under the
 * consent, an alarm is set, and the alarm's reconciliation settles it `made` with the payment Moneyhub made.
 * Against the mock in both official client versions (test/vrp.ts).
 */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { eventually, sleepMs } from '../helpers'
import { alarmOf, consent, failAfterPaying, paidAtMock, pay, paymentsListed, stubOf, VERSIONS } from '../vrp'

afterEach(() => vi.restoreAllMocks())

describe.each(VERSIONS)('a restart during a VRP pay (client %s.x answers)', (version) => {
  it('answers 202 confirming, lists the pay, and settles it made from the alarm', async () => {
    const { id, recurringPaymentId } = await consent(version)
    // The mock makes the payment, then answers only after 8 s: the object restarts meanwhile.
    await failAfterPaying(recurringPaymentId, '?with=slow&delay_ms=8000')
    const key = crypto.randomUUID()
    const warned: string[] = []
    vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => void warned.push(args.map(String).join(' ')))
    const answer = pay(id, 120, key)
    // Once the pay is recorded `sending` (it is at the mock, which holds it 8 s), the object restarts.
    await eventually(
      () => paymentsListed(id),
      (listed) => listed.some((p) => p.reason === 'sending'),
      7000,
    )
    await runInDurableObject(stubOf(id), (_instance, state) => {
      try {
        state.abort('test: restart mid-pay')
      } catch {
        // abort() throws in the caller by design
      }
    }).catch(() => undefined)
    const response = await answer
    expect(response.status).toBe(202)
    expect(await response.json()).toMatchObject({ id, recurringPaymentId, status: 'confirming', reason: 'interrupted' })
    // The interruption is logged (docs/local-development.md, "Log events"), not lost behind the answer's own line.
    expect(warned.some((line) => line.includes('"event":"recurring_payment_interrupted"'))).toBe(true)
    expect(await paymentsListed(id)).toEqual([expect.objectContaining({ status: 'confirming', amount: 120, reason: 'interrupted' })])
    expect(await alarmOf(id)).not.toBeNull()

    await sleepMs(8000) // the mock's answer is lost; the payment stands
    const [made] = (await paidAtMock(recurringPaymentId)).payments
    expect(made).toBeDefined()
    await runDurableObjectAlarm(stubOf(id))
    const settled = await pay(id, 120, key)
    expect(settled.status).toBe(201)
    expect(await settled.json()).toMatchObject({ id, status: 'made', paymentId: made!.id })
    expect(await paymentsListed(id)).toEqual([expect.objectContaining({ status: 'made', paymentId: made!.id })])
    expect((await paidAtMock(recurringPaymentId)).payments).toHaveLength(1)
  })
})
