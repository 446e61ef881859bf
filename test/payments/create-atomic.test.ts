/**
 * `create` is atomic with its KV record (issue 17 item 4): a payment start
 * with an Idempotency-Key whose KV write fails leaves nothing behind, so the
 * retry makes the session (rather than answering 201 "replayed" for a status
 * that reads 404); a retry that finds the session writes its pending record again.
 */
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { getConfig } from '../../src/config'
import { sessionIdFor } from '../../src/payments/start'
import { sha256 } from '../../src/util/encoding'
import { breakSessionWrites, paymentBody, paymentStatus, startPaymentAt } from '../helpers'

describe('POST /payments with an Idempotency-Key, when KV fails', () => {
  it('the write fails once: refused, and the retry makes the session, whose status reads pending', async () => {
    const key = crypto.randomUUID()
    const id = await sessionIdFor(await getConfig(env), 'payments', key)
    let failures = 1
    await breakSessionWrites(id, () => failures-- > 0)
    const body = paymentBody()
    const first = await startPaymentAt('/payments', body, { 'idempotency-key': key })
    expect(first.status).toBe(502)
    expect(await first.json()).toMatchObject({ error: 'session_store_unavailable' })

    const retry = await startPaymentAt('/payments', body, { 'idempotency-key': key })
    expect(retry.status).toBe(201)
    expect((await retry.json<{ id: string }>()).id).toBe(id)
    expect((await paymentStatus(id)).status).toBe(200)
  })

  it('the KV record is missing when a retry reaches the session: the retry writes it again', async () => {
    const key = crypto.randomUUID()
    const body = paymentBody()
    const first = await startPaymentAt('/payments', body, { 'idempotency-key': key })
    expect(first.status).toBe(201)
    const { id } = await first.json<{ id: string }>()
    // As if the object had stored the session and restarted before KV's write: neither the record nor the fast path is there.
    await env.SESSIONS.delete(`session:${id}`)
    await env.SESSIONS.delete(`idem:payments:${await sha256(key)}`)
    expect((await paymentStatus(id)).status).toBe(404)

    const retry = await startPaymentAt('/payments', body, { 'idempotency-key': key })
    expect(retry.status).toBe(201)
    expect((await paymentStatus(id)).status).toBe(200)
  })
})
