/**
 * SessionCoordinator: one Durable Object per session, for what KV cannot do
 * safely — two writers at once. Refreshes and deletion of a session run here,
 * one at a time (blockConcurrencyWhile), so that two refreshes at the same
 * moment cannot both spend the same (rotating) refresh token, nor a refresh
 * bring back a session being deleted. KV is eventually consistent, so the
 * object also keeps the record it last wrote and uses it instead of a KV read
 * that might not see that write yet.
 *
 * When a webhook is configured, its alarm fires when the session's tokens are
 * spent: it scrubs the token set from KV and reports `expired`.
 */
import { DurableObject } from 'cloudflare:workers'
import { getConfig } from './config'
import { FlowError, type FlowErrorKind } from './connection/errors'
import { refreshSession } from './connection/refresh'
import { deleteSession, type Deleted } from './connection/revoke'
import { deliverWebhook } from './connection/webhook'
import { currentStatus, publicSession, SessionStore, type Session, type StoredSession } from './storage/sessions'

/** Errors cross the RPC boundary as data. */
export type Outcome<T> = ({ ok: true } & T) | { ok: false; kind: FlowErrorKind; code: string; message: string }

export class SessionCoordinator extends DurableObject<Env> {
  private latest: StoredSession | undefined

  private async store() {
    const config = await getConfig(this.env)
    return { config, store: new SessionStore(this.env.SESSIONS, config) }
  }

  private async current(store: SessionStore, id: string) {
    return this.latest?.id === id ? this.latest : store.get(id)
  }

  private serially<T>(work: () => Promise<T>): Promise<Outcome<T>> {
    return this.ctx.blockConcurrencyWhile(async () => {
      try {
        return { ok: true as const, ...(await work()) }
      } catch (error) {
        if (error instanceof FlowError) return { ok: false as const, kind: error.kind, code: error.code, message: error.message }
        throw error
      }
    })
  }

  async refresh(id: string): Promise<Outcome<{ session: Session }>> {
    return this.serially(async () => {
      const { config, store } = await this.store()
      const { session, record, expired } = await refreshSession(config, store, await this.current(store, id))
      this.latest = record
      if (expired) this.ctx.waitUntil(deliverWebhook(config, session))
      else await this.scheduleExpiry(record)
      return { session }
    })
  }

  async remove(id: string): Promise<Outcome<Deleted>> {
    return this.serially(async () => {
      const { config, store } = await this.store()
      const deleted = await deleteSession(config, store, await this.current(store, id))
      this.latest = undefined
      await this.ctx.storage.deleteAll()
      return deleted
    })
  }

  /** Called once a session connects: wake up when its tokens are spent. */
  async watch(record: StoredSession): Promise<void> {
    this.latest ??= record
    await this.scheduleExpiry(record)
  }

  private async scheduleExpiry(record: StoredSession) {
    await this.ctx.storage.put('id', record.id)
    await this.ctx.storage.setAlarm(Math.max(record.expiresAt, record.refreshableUntil ?? 0) * 1000)
  }

  override async alarm(): Promise<void> {
    const id = await this.ctx.storage.get<string>('id')
    if (!id) return
    const { config, store } = await this.store()
    const record = await this.current(store, id)
    if (!record || record.status !== 'connected' || currentStatus(record) !== 'expired') return
    const expired = await store.markExpired(record)
    this.latest = expired
    await deliverWebhook(config, publicSession(expired))
  }
}

/** The coordinator of one session. */
export const coordinatorOf = (env: Env, id: string) => env.SESSION_COORDINATOR.get(env.SESSION_COORDINATOR.idFromName(id))
