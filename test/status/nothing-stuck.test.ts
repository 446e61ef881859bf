/**
 * Nothing is ever stuck (issue 17 item 3): the outcome of a code exchange is
 * kept in the session's Durable Object before its KV write; a KV write that
 * fails is written again from the alarm, which stays set while it fails; a
 * claim whose exchange never ended is settled by the alarm (a payment kind:
 * confirming, then reconciled), not left pending and then read `expired`.
 */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import type { SessionCoordinator } from '../../src/objects/sessionCoordinator'
import {
  breakSessionWrites,
  Browser,
  eventually,
  madeAtMockFor,
  paymentBody,
  paymentStatusOf,
  startedPayment,
  stubOf,
  webhooksFor,
} from '../helpers'

const alarmOf = (id: string) => runInDurableObject(stubOf(id), (_instance, state) => state.storage.getAlarm())

/** A payment started and approved; the browser is back at the proxy's callback once `breakWrites` has been applied. */
async function approvedWithBrokenKv(failing: () => boolean) {
  const user = new Browser()
  const payment = await startedPayment('/payments', paymentBody())
  const back = await user.authorize(payment.authorizeUrl)
  await breakSessionWrites(payment.id, failing)
  const returned = await user.callback(back)
  return { payment, redirect: Object.fromEntries(new URL(returned.headers.get('location')!).searchParams) }
}

describe('a KV write that fails during the exchange', () => {
  it('fails once: the browser gets the outcome at once, the alarm writes the record, one webhook', async () => {
    let failures = 1
    const { payment, redirect } = await approvedWithBrokenKv(() => failures-- > 0)
    expect(redirect).toMatchObject({ status: 'authorised' })
    const alarm = await alarmOf(payment.id)
    expect(alarm).not.toBeNull()
    expect(alarm! - Date.now()).toBeLessThanOrEqual(5_000)

    await runDurableObjectAlarm(stubOf(payment.id))
    const [made] = await madeAtMockFor(payment.id)
    expect(await paymentStatusOf(payment.id)).toMatchObject({ status: 'authorised', paymentId: made!.id })
    const delivered = await eventually(
      () => webhooksFor(payment.id),
      (found) => found.length >= 1,
    )
    expect(delivered.map((w) => JSON.parse(w.body).status)).toEqual(['authorised'])
  })

  it('fails for a minute: every alarm tries again and sets the next one; the record is written once KV is back', async () => {
    let broken = true
    const { payment, redirect } = await approvedWithBrokenKv(() => broken)
    expect(redirect).toMatchObject({ status: 'authorised' })
    for (let attempt = 0; attempt < 4; attempt++) {
      expect(await runDurableObjectAlarm(stubOf(payment.id))).toBe(true)
      expect(await alarmOf(payment.id)).not.toBeNull()
      expect((await paymentStatusOf(payment.id)).status).toBe('pending')
    }
    broken = false
    await runDurableObjectAlarm(stubOf(payment.id))
    expect(await paymentStatusOf(payment.id)).toMatchObject({ status: 'authorised', paymentId: expect.any(String) })
  })
})

describe('a claim whose exchange never ended (a restart), and the browser never came back', () => {
  it('the alarm settles it: confirming, then reconciled; never pending, never expired', async () => {
    const user = new Browser()
    const payment = await startedPayment('/payments', paymentBody())
    await user.authorize(payment.authorizeUrl)
    // The object claimed the callback, then restarted before the exchange ended: the claim is in its storage only.
    await runInDurableObject(stubOf(payment.id), async (instance: SessionCoordinator, state) => {
      const held = (instance as unknown as { state: { claimedAt?: number } }).state
      held.claimedAt = Date.now() - 120_000
      await state.storage.put('session', held)
      await state.storage.setAlarm(Date.now() + 60_000)
    })
    await runDurableObjectAlarm(stubOf(payment.id))
    expect(await paymentStatusOf(payment.id)).toMatchObject({ status: 'confirming', reason: 'exchange_interrupted' })
    expect(await alarmOf(payment.id)).not.toBeNull()
  })
})
