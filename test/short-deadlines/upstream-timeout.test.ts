/**
 * A token endpoint slower than UPSTREAM_TIMEOUT_MS (2 s in this configuration; the mock's `slow` fault answers
 * later): the Worker gives up and answers promptly. A connection fails with upstream_timeout, counted for its bank; a
 * payment is confirming (it may have been made after the Worker gave up), then reconciled from Moneyhub's records
 * (issue 17).
 */
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { healthOf } from '../bankHealth'
import {
  APP_ORIGIN,
  Browser,
  eventually,
  madeAtMockFor,
  paymentBody,
  paymentStatusOf,
  started,
  startedPayment,
  statusOf,
  stubOf,
  webhookEvents,
} from '../helpers'

/** Longer than this configuration's UPSTREAM_TIMEOUT_MS, shorter than the reconciliation window. */
const SLOW = { fault: 'slow', delay_ms: String(2 * Number(env.UPSTREAM_TIMEOUT_MS)) }

/** A payment approved at the mock, whose token endpoint then answers after the Worker gave up: the redirect's query. */
async function slowPayment() {
  const user = new Browser()
  const payment = await startedPayment('/payments', paymentBody())
  const returned = await user.callback(await user.authorize(payment.authorizeUrl, 'approve', SLOW))
  expect(returned.status).toBe(303)
  return { payment, redirect: Object.fromEntries(new URL(returned.headers.get('location')!).searchParams) }
}

describe('a connection', () => {
  it('is abandoned after UPSTREAM_TIMEOUT_MS: the session fails with upstream_timeout, the Worker answers promptly', async () => {
    const user = new Browser()
    const { id, authorizeUrl } = await started({ returnTo: `${APP_ORIGIN}/done` })
    const back = await user.authorize(authorizeUrl, 'approve', { fault: 'slow', delay_ms: '6000' })
    const began = Date.now()
    const response = await user.callback(back)
    expect(Date.now() - began).toBeLessThan(5000) // well before the identity server's 6 s answer, even on a busy machine
    expect(response.status).toBe(303)
    expect(new URL(response.headers.get('location')!).searchParams.get('error')).toBe('upstream_timeout')
    expect(await statusOf(id)).toMatchObject({ status: 'failed', error: 'upstream_timeout' })
  })

  it('is counted for its bank as failed with upstream_timeout', async () => {
    const bank = 'health-test-01' // a bank of its own in the mock's list (counts are per bank; sessions start with listed banks only)
    const user = new Browser()
    const { authorizeUrl } = await started({ bankId: bank, returnTo: `${APP_ORIGIN}/done` })
    await user.callback(await user.authorize(authorizeUrl, 'approve', SLOW))
    await healthOf(bank, { started: 1, opened: 1, returned: 1, failed: 1, errors: { upstream_timeout: 1 } })
  })
})

describe('a payment', () => {
  it('is confirming, never failed: the payment is made after the Worker gave up', async () => {
    const { payment, redirect } = await slowPayment()
    expect(redirect).toMatchObject({ session: payment.id, status: 'confirming', reason: 'upstream_timeout' })
    expect(redirect.error).toBeUndefined()
    expect(await paymentStatusOf(payment.id)).toMatchObject({ status: 'confirming', reason: 'upstream_timeout' })
    expect(
      await eventually(
        () => madeAtMockFor(payment.id),
        (made) => made.length === 1,
      ),
    ).toHaveLength(1)
    const reported = await eventually(
      () => webhookEvents(payment.id),
      (found) => found.length >= 1,
    )
    expect(reported).toEqual([expect.objectContaining({ status: 'confirming', reason: 'upstream_timeout' })])
  })

  it('is found on the alarm (first within 30 s), authorised with its id and a webhook', async () => {
    const { payment } = await slowPayment()
    expect(await paymentStatusOf(payment.id)).toMatchObject({ status: 'confirming', reason: 'upstream_timeout' })
    const alarm = await runInDurableObject(stubOf(payment.id), (_instance, state) => state.storage.getAlarm())
    expect(alarm).not.toBeNull()
    expect(alarm! - Date.now()).toBeLessThanOrEqual(30_000)
    const [made] = await eventually(
      () => madeAtMockFor(payment.id),
      (found) => found.length === 1,
    )

    expect(await runDurableObjectAlarm(stubOf(payment.id))).toBe(true)
    const status = await paymentStatusOf(payment.id)
    expect(status).toMatchObject({ status: 'authorised', paymentId: made!.id })
    expect(status.reason).toBeUndefined()
    const delivered = await eventually(
      () => webhookEvents(payment.id),
      (found) => found.length >= 2,
    )
    expect(delivered.map((e) => [e.eventId, e.status, e.paymentId])).toEqual([
      [`${payment.id}.confirming.upstream_timeout`, 'confirming', undefined],
      [`${payment.id}.authorised`, 'authorised', made!.id],
    ])
  })
})
