/**
 * After DELETE, a retried start with the same Idempotency-Key is 410, never a
 * 201 with a link that is already dead (issue 17 item 7): the deletion is
 * recorded in the KV fast path and in the session's Durable Object.
 */
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { allKvKeys, Browser, paymentBody, remove, startPaymentAt, type StartedPayment } from '../helpers'

const withKey = (key: string) => ({ 'idempotency-key': key })

describe('DELETE and the Idempotency-Key', () => {
  it('a retry after DELETE is 410 session_deleted, from the fast path and from the object; another body is still 422', async () => {
    const key = crypto.randomUUID()
    const body = paymentBody()
    const first = await startPaymentAt('/payments', body, withKey(key))
    expect(first.status).toBe(201)
    const payment = await first.json<StartedPayment>()
    expect((await remove(payment.id)).status).toBe(204)

    const retry = await startPaymentAt('/payments', body, withKey(key))
    expect(retry.status).toBe(410)
    expect(await retry.json()).toMatchObject({ error: 'session_deleted' })
    expect((await startPaymentAt('/payments', { ...body, amount: 999 }, withKey(key))).status).toBe(422)

    // Without the KV fast path (as at a location the marker has not reached yet): the object answers the same.
    const idempotencyKeys = (await allKvKeys()).filter((name) => name.startsWith('idem:'))
    await Promise.all(idempotencyKeys.map((name) => env.SESSIONS.delete(name)))
    const fromObject = await startPaymentAt('/payments', body, withKey(key))
    expect(fromObject.status).toBe(410)
    expect(await fromObject.json()).toMatchObject({ error: 'session_deleted' })
    // And the dead link stays dead: the browser is sent back to the app with the reason.
    const opened = await new Browser().open(payment.authorizeUrl)
    expect(opened.status).toBe(303)
    expect(opened.headers.get('location')).toContain('session_deleted')
  })
})
