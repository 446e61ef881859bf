/**
 * The Idempotency-Key store: a retried POST with the same key and body gets the
 * first answer back for 24 hours; the same key with another body is refused;
 * routes do not share keys; nothing readable is left in KV.
 */
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { getConfig } from '../../src/config'
import { sha256 } from '../../src/util/encoding'
import { canonicalJson, IDEMPOTENCY_KEY, IDEMPOTENCY_TTL_SECONDS, IdempotencyStore } from '../../src/storage/idempotency'

const answer = {
  id: 'AAAAAAAAAAAAAAAAAAAAAA',
  authorizeUrl: 'http://127.0.0.1:8787/sessions/AAAAAAAAAAAAAAAAAAAAAA/authorize?ticket=v1.secret-ticket',
  statusUrl: 'http://proxy.test/payments/AAAAAAAAAAAAAAAAAAAAAA',
  expiresAt: 1_900_000_000,
}
const body = { bankId: 'bank-1', amount: 150, payeeId: 'payee-1', payeeRef: 'Order 42', payerRef: 'Acme' }

const store = async () => new IdempotencyStore(env.SESSIONS, (await getConfig(env)).encryptionKeys)

describe('the Idempotency-Key store', () => {
  it('answers a retry with the same key and body with the first answer', async () => {
    const s = await store()
    const key = crypto.randomUUID()
    expect(await s.lookup('payments', key, body)).toEqual({ state: 'new' })
    await s.remember('payments', key, body, answer)
    expect(await s.lookup('payments', key, body)).toMatchObject({ state: 'replay', answer })
    // The same body with its members in another order is the same request.
    const reordered = Object.fromEntries(Object.entries(body).reverse())
    expect(await s.lookup('payments', key, reordered)).toMatchObject({ state: 'replay', answer })
  })

  it('refuses the same key with another body (422 idempotency_key_reused)', async () => {
    const s = await store()
    const key = crypto.randomUUID()
    await s.remember('payments', key, body, answer)
    expect(await s.lookup('payments', key, { ...body, amount: 151 })).toEqual({ state: 'reused' })
    expect(await s.lookup('payments', key, { ...body, payee: { name: 'x' } })).toEqual({ state: 'reused' })
  })

  it('scopes keys per route: one key on two routes is two requests', async () => {
    const s = await store()
    const key = crypto.randomUUID()
    await s.remember('payments', key, body, answer)
    expect(await s.lookup('standing-orders', key, body)).toEqual({ state: 'new' })
  })

  it('keeps the answer 24 hours, sealed, under a hash of the key', async () => {
    const s = await store()
    const key = `retry-${crypto.randomUUID()}`
    await s.remember('payments', key, body, answer)
    const kvKey = `idem:payments:${await sha256(key)}`
    const listed = await env.SESSIONS.list({ prefix: kvKey })
    expect(listed.keys.map((k) => k.name)).toEqual([kvKey])
    const now = Date.now() / 1000
    expect(listed.keys[0]!.expiration).toBeGreaterThan(now + IDEMPOTENCY_TTL_SECONDS - 120)
    expect(listed.keys[0]!.expiration).toBeLessThanOrEqual(now + IDEMPOTENCY_TTL_SECONDS + 5)
    const raw = (await env.SESSIONS.get(kvKey))!
    expect(raw).not.toContain(key)
    expect(raw).not.toContain('secret-ticket')
    expect(raw).not.toContain(answer.id)
  })

  it('an answer sealed under a key since removed counts as gone, not as a failure', async () => {
    const config = await getConfig(env)
    const key = crypto.randomUUID()
    const otherKey = {
      kid: 'retired',
      key: (await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])) as CryptoKey,
    }
    await new IdempotencyStore(env.SESSIONS, [otherKey]).remember('payments', key, body, answer)
    expect(await new IdempotencyStore(env.SESSIONS, config.encryptionKeys).lookup('payments', key, body)).toEqual({ state: 'new' })
  })

  it('canonical JSON sorts members at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null }, u: undefined })).toBe('{"a":{"c":null,"d":[2,1]},"b":1}')
  })

  it('accepts the keys clients send (UUIDs, up to 255 printable characters) and nothing else', () => {
    expect(IDEMPOTENCY_KEY.test(crypto.randomUUID())).toBe(true)
    expect(IDEMPOTENCY_KEY.test('k'.repeat(255))).toBe(true)
    expect(IDEMPOTENCY_KEY.test('k'.repeat(256))).toBe(false)
    expect(IDEMPOTENCY_KEY.test('has space')).toBe(false)
    expect(IDEMPOTENCY_KEY.test('')).toBe(false)
  })
})
