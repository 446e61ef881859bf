/**
 * IdempotencyStore: an `Idempotency-Key` header makes a retried POST answer
 * what the first one answered, for 24 hours, instead of starting a second
 * payment (the practice of the IETF draft "The Idempotency-Key HTTP Header
 * Field" and of payment APIs such as Stripe's). Storage schema (also in
 * docs/storage.md):
 *
 * | key                                  | value (JSON, StoredIdempotency)                          | TTL                  |
 * |--------------------------------------|----------------------------------------------------------|----------------------|
 * | `idem:<route>:<sha256(key)>`         | v, route, bodyHash (sha256 of the canonical JSON body),  | IDEMPOTENCY_TTL_SECONDS (24 h) |
 * |                                      | createdAt, sealed answer (AES-GCM, the KV key as AAD);   |                      |
 * |                                      | or, once its session is deleted, `deleted` and no answer |  the key's 24 h      |
 *
 * `<route>` names the operation (`payments`, `standing-orders`, …), so one
 * key used on two routes means two things. The key itself is stored only as a
 * hash. The answer is sealed because it holds the authorizeUrl, which launches
 * the payment.
 *
 * Limits: Workers KV is eventually consistent (a write can take up to 60 s to
 * be seen elsewhere), and lookup-then-remember is not atomic. This store
 * catches a backend's retry after a timeout or a lost answer, which is the
 * common case; two requests with one key racing each other can both see
 * `new`. Strict once-only needs a single authority per key: a Durable Object
 * named by the key (see the issue's phase 2 plan).
 */
import type { EncryptionKey } from '../config'
import { sha256 } from '../util/encoding'
import { open, seal } from './seal'

export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600
/** What an Idempotency-Key header may hold: 1 to 255 printable ASCII characters (a UUID, typically). */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/

export interface StoredIdempotency {
  v: 1
  route: string
  bodyHash: string
  createdAt: number
  /** The answer; absent once the session it names was deleted. */
  sealed?: string
  /** DELETE /sessions/:id: a retry is told so (410), never given the dead link. */
  deleted?: true
}

export type IdempotencyLookup<T> =
  /** Not seen: do the work, then remember its answer. */
  | { state: 'new' }
  /** Seen with the same body: answer this again. */
  | { state: 'replay'; answer: T; createdAt: number }
  /** Seen with another body: refuse (422 idempotency_key_reused). */
  | { state: 'reused' }
  /** Seen, and its session deleted since: 410. */
  | { state: 'deleted' }

/** JSON with object members sorted, so that a body's hash does not depend on member order or spacing. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value && typeof value === 'object') {
    const members = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${members.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

export class IdempotencyStore {
  constructor(
    private readonly kv: KVNamespace,
    private readonly keys: readonly EncryptionKey[],
    private readonly ttlSeconds = IDEMPOTENCY_TTL_SECONDS,
  ) {}

  /** Where a key's record is: what a session made for it keeps, to mark it deleted (objects/sessionCoordinator.ts, remove). */
  async kvKey(route: string, key: string) {
    return `idem:${route}:${await sha256(key)}`
  }

  async lookup<T>(route: string, key: string, body: unknown): Promise<IdempotencyLookup<T>> {
    const kvKey = await this.kvKey(route, key)
    const record = await this.kv.get<StoredIdempotency>(kvKey, 'json')
    if (record?.v !== 1 || record.route !== route) return { state: 'new' }
    if (record.bodyHash !== (await sha256(canonicalJson(body)))) return { state: 'reused' }
    if (record.deleted || !record.sealed) return { state: 'deleted' }
    const answer = await open<T>(this.keys, record.sealed, kvKey)
    // Sealed under a key since removed from TOKEN_ENCRYPTION_KEY: the answer is gone, as if it had expired.
    return answer === undefined ? { state: 'new' } : { state: 'replay', answer, createdAt: record.createdAt }
  }

  async remember(route: string, key: string, body: unknown, answer: unknown): Promise<void> {
    const kvKey = await this.kvKey(route, key)
    const record: StoredIdempotency = {
      v: 1,
      route,
      bodyHash: await sha256(canonicalJson(body)),
      createdAt: Math.floor(Date.now() / 1000),
      sealed: await seal(this.keys, answer, kvKey),
    }
    await this.kv.put(kvKey, JSON.stringify(record), { expirationTtl: this.ttlSeconds })
  }

  /** The session the key made was deleted: the record says so until `until` (the key's 24 h), without its answer. */
  async markDeleted(fastPath: IdempotencyFastPath, bodyHash: string, until: number): Promise<void> {
    const record: StoredIdempotency = { v: 1, route: fastPath.route, bodyHash, createdAt: Math.floor(Date.now() / 1000), deleted: true }
    // KV refuses an expiration less than 60 s ahead.
    await this.kv.put(fastPath.kvKey, JSON.stringify(record), { expiration: Math.max(until, Math.floor(Date.now() / 1000) + 60) })
  }
}

/** Where a session made for an Idempotency-Key is remembered in KV. */
export interface IdempotencyFastPath {
  kvKey: string
  route: string
}
