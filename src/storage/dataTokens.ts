/**
 * DataTokenCache: client-credentials tokens (POST /tokens) kept until shortly
 * before they expire, so that a backend asking for the same scopes and user
 * again costs no grant. Two layers:
 *   - this isolate's memory (plus the grant in flight, so that concurrent
 *     identical asks make one grant);
 *   - KV, sealed, so that other isolates and data centres find it too.
 * The KV entry is part of the storage schema (docs/storage.md):
 *   `token:<digest>` → seal(ClientToken, aad = the key), TTL = expires_at − REUSE_MARGIN_S − now (not written under 60 s)
 * `<digest>` is base64url SHA-256 of issuer, client id, userId and the sorted scopes: the key names no user.
 */
import type { Config } from '../config'
import { sha256 } from '../util/encoding'
import type { ClientToken } from '../oidc/clientCredentials'
import { open, seal } from './seal'
import { nowSeconds } from './sessionRecord'

/** A cached token is handed out only while it has at least this long left to live. */
export const REUSE_MARGIN_S = 60
/** KV refuses an expirationTtl below 60 s. */
const KV_MIN_TTL_S = 60
/** This isolate keeps at most this many tokens in memory (oldest dropped first). */
const MEMORY_LIMIT = 1000

const memory = new Map<string, ClientToken>()
const inFlight = new Map<string, Promise<ClientToken>>()

/** For tests: forget what this isolate holds, as a new isolate would. */
export const forgetDataTokens = () => memory.clear()

export type Source = 'memory' | 'kv' | 'grant'

const usable = (token: ClientToken | undefined, now = nowSeconds()) =>
  token && token.expires_at - REUSE_MARGIN_S > now ? token : undefined

export async function dataTokenKey(config: Pick<Config, 'issuer' | 'clientId'>, scope: string, userId?: string): Promise<string> {
  return `token:${await sha256([config.issuer, config.clientId, userId ?? '', scope].join('\n'))}`
}

export class DataTokenCache {
  constructor(
    private readonly kv: KVNamespace,
    private readonly config: Pick<Config, 'encryptionKeys'>,
  ) {}

  /** The cached token for `key`, else the one `grant` gets (once per isolate however many ask at the same moment), cached. */
  async getOrGrant(key: string, grant: () => Promise<ClientToken>): Promise<{ token: ClientToken; source: Source }> {
    const remembered = usable(memory.get(key))
    if (remembered) return { token: remembered, source: 'memory' }
    memory.delete(key)
    const pending = inFlight.get(key)
    if (pending) return { token: await pending, source: 'grant' }
    const work = this.load(key, grant)
    const shared = work.then((r) => r.token)
    shared.catch(() => {}) // the caller below handles the failure; waiters, if any, see it too
    inFlight.set(key, shared)
    try {
      return await work
    } finally {
      inFlight.delete(key)
    }
  }

  private async load(key: string, grant: () => Promise<ClientToken>): Promise<{ token: ClientToken; source: Source }> {
    const sealed = await this.kv.get(key)
    const stored = usable(sealed ? await open<ClientToken>(this.config.encryptionKeys, sealed, key) : undefined)
    if (stored) {
      this.remember(key, stored)
      return { token: stored, source: 'kv' }
    }
    const token = await grant()
    const ttl = token.expires_at - REUSE_MARGIN_S - nowSeconds()
    if (ttl > 0) this.remember(key, token)
    if (ttl >= KV_MIN_TTL_S) await this.kv.put(key, await seal(this.config.encryptionKeys, token, key), { expirationTtl: ttl })
    return { token, source: 'grant' }
  }

  private remember(key: string, token: ClientToken) {
    if (memory.size >= MEMORY_LIMIT) memory.delete(memory.keys().next().value!)
    memory.set(key, token)
  }
}
