/**
 * SessionStore: one KV record per connection attempt. The whole storage schema
 * is here (and in the README, "Storage"):
 *
 * | key             | value (JSON, StoredSession)                                          | TTL                                         |
 * |-----------------|----------------------------------------------------------------------|---------------------------------------------|
 * | `session:<id>`  | pending: public fields + stateHash + sealed PendingSecrets           | SESSION_TTL_SECONDS (default 600)           |
 * |                 | connected: public fields + sealed TokenSet                           | until the access token expires (≥ 60 s)     |
 * |                 | failed: public fields + error, nothing sealed                        | SESSION_TTL_SECONDS                         |
 *
 * `<id>` is 128 random bits, base64url. Sealed values are AES-256-GCM with the
 * id as associated data (seal.ts). Nothing else is written.
 */
import type { EncryptionKey } from '../config'
import type { TokenSet } from '../oidc/tokenExchange'
import { open, seal } from './seal'

export type SessionStatus = 'pending' | 'connected' | 'failed' | 'expired'

/** What the status API shows: never a token. */
export interface Session {
  id: string
  status: SessionStatus
  bankId?: string
  userId?: string
  connectionId?: string
  scope?: string
  /** Seconds since the epoch: when a pending attempt lapses, or when a connected session's access token expires. */
  expiresAt: number
  error?: string
  errorDescription?: string
}

/** Secrets of a pending attempt, sealed at rest. */
export interface PendingSecrets {
  /** The whole state parameter: the authorisation request is built from it at launch. */
  state: string
  nonce: string
  codeVerifier: string
  /** The value of the browser-binding cookie: the callback must come from the browser that holds it. */
  browserKey: string
}

export interface StoredSession extends Session {
  v: 1
  createdAt: number
  returnTo?: string
  /** The scope asked for, used when the token response omits it. */
  requestedScope: string
  /** base64url SHA-256 of the state parameter: proves a callback's state, and tells a replay from a forgery. */
  stateHash?: string
  /** PendingSecrets while pending; TokenSet once connected. */
  sealed?: string
}

/** KV refuses an expirationTtl below 60 s. */
const KV_MIN_TTL_S = 60
const keyOf = (id: string) => `session:${id}`
export const nowSeconds = () => Math.floor(Date.now() / 1000)

export class SessionStore {
  constructor(
    private readonly kv: KVNamespace,
    private readonly keys: readonly EncryptionKey[],
    private readonly failedTtlSeconds: number,
  ) {}

  async get(id: string): Promise<StoredSession | undefined> {
    const record = await this.kv.get<StoredSession>(keyOf(id), 'json')
    return record?.v === 1 && record.id === id ? record : undefined
  }

  async createPending(session: Omit<StoredSession, 'v' | 'sealed' | 'status'>, secrets: PendingSecrets): Promise<StoredSession> {
    const record: StoredSession = { v: 1, ...session, status: 'pending', sealed: await seal(this.keys, secrets, session.id) }
    await this.put(record)
    return record
  }

  openPendingSecrets(record: StoredSession): Promise<PendingSecrets | undefined> {
    return record.status === 'pending' && record.sealed ? open<PendingSecrets>(this.keys, record.sealed, record.id) : Promise.resolve(undefined)
  }

  async markConnected(record: StoredSession, tokens: TokenSet, found: { userId: string; connectionId?: string }): Promise<StoredSession> {
    const connected: StoredSession = {
      ...record,
      status: 'connected',
      userId: found.userId,
      ...(found.connectionId ? { connectionId: found.connectionId } : {}),
      scope: tokens.scope,
      expiresAt: tokens.expires_at,
      sealed: await seal(this.keys, tokens, record.id),
    }
    await this.put(connected)
    return connected
  }

  async markFailed(record: StoredSession, error: string, errorDescription?: string): Promise<StoredSession> {
    const { sealed: _, ...rest } = record
    const failed: StoredSession = {
      ...rest,
      status: 'failed',
      error,
      ...(errorDescription ? { errorDescription } : {}),
      expiresAt: nowSeconds() + this.failedTtlSeconds,
    }
    await this.put(failed)
    return failed
  }

  /** The token set of a connected session, or undefined when there is none to give. */
  async readTokens(record: StoredSession): Promise<TokenSet | undefined> {
    if (record.status !== 'connected' || !record.sealed) return undefined
    return open<TokenSet>(this.keys, record.sealed, record.id)
  }

  private put(record: StoredSession) {
    const ttl = Math.max(KV_MIN_TTL_S, record.expiresAt - nowSeconds())
    return this.kv.put(keyOf(record.id), JSON.stringify(record), { expirationTtl: ttl })
  }
}

/** The public view of a record: what GET /sessions/:id answers. */
export function publicSession(record: StoredSession, now = nowSeconds()): Session {
  // KV's TTL floor and lazy expiry can keep a record a little past its token; it is expired all the same.
  const status = record.status === 'connected' && record.expiresAt <= now ? 'expired' : record.status
  const view: Session = { id: record.id, status, expiresAt: record.expiresAt }
  for (const field of ['bankId', 'userId', 'connectionId', 'scope', 'error', 'errorDescription'] as const) {
    if (record[field] !== undefined) view[field] = record[field]
  }
  return view
}
