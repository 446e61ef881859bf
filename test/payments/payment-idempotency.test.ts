/**
 * Money must not move twice because a backend retried: a POST with an
 * Idempotency-Key answers the same payment session for 24 hours, whether the
 * retry comes after the answer was lost, at the same time as the first
 * request, or after the payment was made; the same key with another body is
 * refused (422). The session's Durable Object is the authority, so this holds
 * even when the KV fast path has not seen the first request.
 */
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { allKvKeys, Browser, madeAtMockFor, paymentBody, paymentStatusOf, startPaymentAt, type StartedPayment } from '../helpers'

const withKey = (key: string) => ({ 'idempotency-key': key })

/** Forgets what the KV fast path holds for Idempotency-Keys: as if the first request's write had not reached this location yet. */
async function forgetIdempotencyKv() {
  const idempotencyKeys = (await allKvKeys()).filter((name) => name.startsWith('idem:'))
  await Promise.all(idempotencyKeys.map((name) => env.SESSIONS.delete(name)))
}

describe('Idempotency-Key on POST /payments', () => {
  it('a retried POST answers the same session, and the user pays once', async () => {
    const key = crypto.randomUUID()
    const body = paymentBody()
    const first = await startPaymentAt('/payments', body, withKey(key))
    expect(first.status).toBe(201)
    const retry = await startPaymentAt('/payments', body, withKey(key))
    expect(retry.status).toBe(201)
    expect(retry.headers.get('idempotent-replayed')).toBe('true')
    const payment = await first.json<StartedPayment>()
    expect(await retry.json()).toEqual(payment)

    const user = new Browser()
    await user.callback(await user.authorize(payment.authorizeUrl))
    expect(await paymentStatusOf(payment.id)).toMatchObject({ status: 'authorised' })
    // After the payment: still the same session, which says it is authorised.
    expect(await (await startPaymentAt('/payments', body, withKey(key))).json()).toEqual(payment)
    expect(await madeAtMockFor(payment.id)).toHaveLength(1)
  })

  it('two POSTs with one key at once make one session', async () => {
    const key = crypto.randomUUID()
    const body = paymentBody()
    const answers = await Promise.all([1, 2, 3].map(() => startPaymentAt('/payments', body, withKey(key))))
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201])
    const [one, ...others] = await Promise.all(answers.map((a) => a.json<StartedPayment>()))
    for (const other of others) expect(other).toEqual(one)
    const user = new Browser()
    await user.callback(await user.authorize(one!.authorizeUrl))
    expect(await madeAtMockFor(one!.id)).toHaveLength(1)
  })

  it('holds without the KV fast path: the session’s Durable Object knows the key', async () => {
    const key = crypto.randomUUID()
    const body = paymentBody()
    const first = await (await startPaymentAt('/payments', body, withKey(key))).json<StartedPayment>()
    await forgetIdempotencyKv()
    expect(await (await startPaymentAt('/payments', body, withKey(key))).json()).toEqual(first)
    await forgetIdempotencyKv()
    const other = await startPaymentAt('/payments', { ...body, amount: 999 }, withKey(key))
    expect(other.status).toBe(422)
    expect(await other.json()).toMatchObject({ error: 'idempotency_key_reused' })
  })

  it('the same key with another body is 422; without a key, every POST is a new session', async () => {
    const key = crypto.randomUUID()
    const body = paymentBody()
    expect((await startPaymentAt('/payments', body, withKey(key))).status).toBe(201)
    const changed = await startPaymentAt('/payments', { ...body, amount: 151 }, withKey(key))
    expect(changed.status).toBe(422)
    expect(await changed.json()).toMatchObject({ error: 'idempotency_key_reused' })

    const a = await (await startPaymentAt('/payments', body)).json<StartedPayment>()
    const b = await (await startPaymentAt('/payments', body)).json<StartedPayment>()
    expect(a.id).not.toBe(b.id)
  })

  it('one key on two routes means two things; a malformed key is 400', async () => {
    const key = crypto.randomUUID()
    const payment = await (await startPaymentAt('/payments', paymentBody(), withKey(key))).json<StartedPayment>()
    const order = await startPaymentAt(
      '/standing-orders',
      {
        bankId: paymentBody().bankId,
        payee: paymentBody().payee,
        reference: 'Rent',
        frequency: { repeat: 'Monthly', day: 1 },
        numberOfPayments: 12,
        firstPaymentAmount: 50000,
        firstPaymentDate: '2027-01-01',
      },
      withKey(key),
    )
    expect(order.status).toBe(201)
    expect((await order.json<StartedPayment>()).id).not.toBe(payment.id)
    const bad = await startPaymentAt('/payments', paymentBody(), withKey('has space'))
    expect(bad.status).toBe(400)
  })
})
