/**
 * SessionStore: one KV record per session, written only here (and, after
 * creation, only by the session's Durable Object, objects/sessionCoordinator.ts, which holds
 * the authority in its own strongly consistent storage). Every KV key, its
 * value and its TTL are written down once, in docs/storage.md.
 */
import type { Config } from '../config'
import type { OutcomeIds } from '../kinds/registry'
import { countStarted } from '../health/count'
import type { TokenSet } from '../oidc/tokenExchange'
import { open, seal } from './seal'
import { cachedRecord, forgetRecord, rememberRecord } from './statusCache'
import { currentStatus, nowSeconds, type StoredSession } from './sessionRecord'

/** Secrets of a pending attempt, sealed at rest (in the launch ticket). */
export interface PendingSecrets {
  nonce: string
  codeVerifier: string
}

/** What a connected session holds, sealed at rest. */
export interface Connection {
  tokens: TokenSet
  /** The nonce of the original authentication, to check refreshed id_tokens against (OIDC Core §12.2). */
  nonce: string
}

/** KV refuses an expirationTtl below 60 s. */
const KV_MIN_TTL_S = 60
const keyOf = (id: string) => `session:${id}`

export class SessionStore {
  constructor(
    private readonly kv: KVNamespace,
    private readonly config: Pick<Config, 'encryptionKeys' | 'sessionTtlSeconds' | 'expiredStatusSeconds'>,
  ) {}

  private get keys() {
    return this.config.encryptionKeys
  }

  async get(id: string): Promise<StoredSession | undefined> {
    const record = await this.kv.get<StoredSession>(keyOf(id), 'json')
    return record?.v === 1 && record.id === id ? record : undefined
  }

  /** For the status API: a final record seen in this isolate in the last seconds comes from memory (statusCache.ts). */
  async getForStatus(id: string): Promise<StoredSession | undefined> {
    const cached = cachedRecord(id)
    if (cached) return cached
    const record = await this.get(id)
    if (record) rememberRecord(record)
    return record
  }

  /** A pending record; a payment kind's is kept past its deadline, to answer `expired` rather than 404. */
  async writePending(record: StoredSession): Promise<void> {
    await this.put(record, record.expiresAt + (record.kind ? this.config.expiredStatusSeconds : 0))
    countStarted(record)
  }

  /**
   * A payment kind's success: what the id_token said was made. No token set is
   * kept (nothing to refresh: the exchange itself made the payment). Kept
   * `retainSeconds`, so that the status stays readable as long as a retried POST can find it.
   */
  async storeAuthorised(
    record: StoredSession,
    found: OutcomeIds & { userId?: string; connectionId?: string; reason?: string },
    retainSeconds: number,
  ): Promise<StoredSession> {
    const { sealed: _, refreshableUntil: __, error: ___, errorDescription: ____, reason: _____, ...rest } = record
    const authorised: StoredSession = {
      ...rest,
      ...found,
      status: 'authorised',
      expiresAt: Math.max(record.status === 'authorised' ? record.expiresAt : 0, nowSeconds() + retainSeconds),
    }
    await this.put(authorised, authorised.expiresAt)
    return authorised
  }

  /** A payment kind whose code was sent and whose outcome is unknown: kept `retainSeconds`, until reconciliation ends it. */
  async markConfirming(record: StoredSession, reason: string, retainSeconds: number): Promise<StoredSession> {
    const { sealed: _, error: __, errorDescription: ___, ...rest } = record
    const confirming: StoredSession = { ...rest, status: 'confirming', reason, expiresAt: nowSeconds() + retainSeconds }
    await this.put(confirming, confirming.expiresAt)
    return confirming
  }

  /** Stores a (new or refreshed) token set. `refreshableUntil` is set when a refresh token is kept. */
  async storeConnection(
    record: StoredSession,
    connection: Connection,
    found: { userId: string; connectionId?: string; refreshableUntil?: number },
  ): Promise<StoredSession> {
    const { refreshableUntil: _, error: __, errorDescription: ___, ...rest } = record
    const connected: StoredSession = {
      ...rest,
      status: 'connected',
      userId: found.userId,
      ...(found.connectionId ? { connectionId: found.connectionId } : {}),
      scope: connection.tokens.scope,
      expiresAt: connection.tokens.expires_at,
      ...(found.refreshableUntil ? { refreshableUntil: found.refreshableUntil } : {}),
      sealed: await seal(this.keys, connection, record.id),
    }
    await this.put(connected, Math.max(connected.expiresAt, connected.refreshableUntil ?? 0) + this.config.expiredStatusSeconds)
    return connected
  }

  /** A VRP consent revoked at Moneyhub: kept as long as its authorised record would have been. */
  async markRevoked(record: StoredSession): Promise<StoredSession> {
    const revoked: StoredSession = { ...record, status: 'revoked' }
    await this.put(revoked, revoked.expiresAt)
    return revoked
  }

  async markFailed(record: StoredSession, error: string, errorDescription?: string): Promise<StoredSession> {
    const { sealed: _, reason: __, ...rest } = record
    const failed: StoredSession = {
      ...rest,
      status: 'failed',
      error,
      ...(errorDescription ? { errorDescription } : {}),
      expiresAt: nowSeconds() + this.config.sessionTtlSeconds,
    }
    await this.put(failed, failed.expiresAt)
    return failed
  }

  /** The small status record kept after the token set is gone. */
  async markExpired(record: StoredSession, error?: string): Promise<StoredSession> {
    const { sealed: _, refreshableUntil: __, ...rest } = record
    const expired: StoredSession = { ...rest, status: 'expired', ...(error ? { error } : {}) }
    await this.put(expired, nowSeconds() + this.config.expiredStatusSeconds)
    return expired
  }

  /** A connected record whose tokens are spent is rewritten without them. */
  async scrubIfExpired(record: StoredSession): Promise<void> {
    if (record.status === 'connected' && currentStatus(record) === 'expired') await this.markExpired(record)
  }

  /** The connection of a connected session, or undefined when there is none to give. */
  async readConnection(record: StoredSession): Promise<Connection | undefined> {
    if (record.status !== 'connected' || !record.sealed) return undefined
    return open<Connection>(this.keys, record.sealed, record.id)
  }

  delete(id: string): Promise<void> {
    forgetRecord(id)
    return this.kv.delete(keyOf(id))
  }

  /** A record again, as it was (a write that failed: objects/sessionCoordinator.ts retries it from its alarm). */
  rewrite(record: StoredSession, keepUntil: number): Promise<void> {
    return this.put(record, keepUntil)
  }

  /** A KV write that failed throws RecordNotWritten: the record is known, and can be written again. */
  private async put(record: StoredSession, keepUntil: number) {
    forgetRecord(record.id)
    try {
      await this.kv.put(keyOf(record.id), JSON.stringify(record), { expirationTtl: Math.max(KV_MIN_TTL_S, keepUntil - nowSeconds()) })
    } catch (cause) {
      throw new RecordNotWritten(record, keepUntil, cause)
    }
  }
}

/** A session's KV record could not be written: what was to be written, and for how long. */
export class RecordNotWritten extends Error {
  constructor(
    readonly record: StoredSession,
    readonly keepUntil: number,
    cause: unknown,
  ) {
    super('the session record could not be written to KV', { cause })
    this.name = 'RecordNotWritten'
  }
}
