/**
 * A confirming payment that Moneyhub's records never show is `failed` (payment_not_made) once the reconciliation
 * window has passed, and not before (RECONCILIATION_WINDOW_SECONDS: 10 s in this configuration).
 */
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { Browser, eventually, madeAtMockFor, paymentBody, paymentStatusOf, sleepMs, startedPayment, stubOf, webhooksFor } from '../helpers'

const WINDOW_MS = Number(env.RECONCILIATION_WINDOW_SECONDS) * 1000

describe('the reconciliation window', () => {
  it('not made: still confirming while the window is open, looked at again later; failed payment_not_made once it has passed', async () => {
    const user = new Browser()
    const payment = await startedPayment('/payments', paymentBody())
    await user.callback(await user.authorize(payment.authorizeUrl, 'approve', { fault: 'server_error' }))
    expect(await madeAtMockFor(payment.id)).toHaveLength(0)
    await runDurableObjectAlarm(stubOf(payment.id))
    expect(await paymentStatusOf(payment.id)).toMatchObject({ status: 'confirming', reason: 'token_endpoint_unavailable' })
    expect(await runInDurableObject(stubOf(payment.id), (_instance, state) => state.storage.getAlarm())).not.toBeNull() // looked at again

    await sleepMs(WINDOW_MS + 200)
    await runDurableObjectAlarm(stubOf(payment.id))
    expect(await paymentStatusOf(payment.id)).toMatchObject({ status: 'failed', error: 'payment_not_made' })
    const delivered = await eventually(
      async () => (await webhooksFor(payment.id)).map((w) => JSON.parse(w.body) as { status: string }),
      (found) => found.length >= 2,
    )
    expect(delivered.map((e) => e.status)).toEqual(['confirming', 'failed'])
  })
})
