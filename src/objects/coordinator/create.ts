/**
 * Create-if-absent, for a session whose id is derived from an
 * Idempotency-Key (routes/payments.ts, payments/start.ts): the session's
 * Durable Object is the one authority for "this key already made a session".
 * A session made here starts in the `created` phase (state.ts).
 */
import { sha256 } from '../../util/encoding'
import { RecordNotWritten, SessionStore } from '../../storage/sessions'
import type { SessionHost } from './host'
import { refusal, type CreateRequest, type Outcome, type StartAnswer } from './state'

export class Creation {
  /** A `create` writing its KV record: a concurrent retry answers once it is written. */
  private creating: Promise<unknown> | undefined

  /**
   * Create-if-absent, for a session whose id is derived from an
   * Idempotency-Key (routes/payments.ts): this object is the one authority for
   * "already made". The first call stores the session (state, ticket, answer)
   * and writes its pending KV record; every later call with the same body hash
   * gets the first one's answer, and with another body `idempotency_key_reused`.
   */
  async create(
    host: SessionHost,
    { record, state, sealedTicket, made, keepUntil }: CreateRequest,
  ): Promise<Outcome<{ created: boolean; answer: StartAnswer }>> {
    const stateHash = await sha256(state)
    const unstored = () =>
      refusal('session_store_unavailable', 'the session could not be stored just now; retry with the same Idempotency-Key')
    // From the check to the save, nothing awaits: two retries at once cannot both create.
    if (!host.state) {
      await host.save({
        phase: 'created',
        record,
        stateHash,
        sealedTicket,
        linkExpiresAt: record.expiresAt,
        made,
        keepUntil,
        forgetAt: keepUntil,
      })
      const config = await host.config()
      const creating = new SessionStore(host.env.SESSIONS, config).writePending(record)
      this.creating = creating
      try {
        await creating
      } catch (error) {
        if (!(error instanceof RecordNotWritten)) throw error
        // Atomic with its KV record: nothing was made, so a retry makes it (no "replayed" answer for a 404 status).
        await host.forget()
        return unstored()
      } finally {
        if (this.creating === creating) this.creating = undefined
      }
      return { ok: true, created: true, answer: made.answer }
    }
    await this.creating?.catch(() => undefined)
    if (!host.state) return this.create(host, { record, state, sealedTicket, made, keepUntil }) // the first one was undone
    const earlier = host.state.made
    if (host.state.phase === 'deleted' || !earlier) return refusal('session_deleted', 'the session this Idempotency-Key made was deleted')
    if (earlier.bodyHash !== made.bodyHash) {
      return refusal('idempotency_key_reused', 'this Idempotency-Key was used with another request body')
    }
    if (host.state.record.status === 'pending' && host.state.claimedAt === undefined) {
      // The KV record may be missing (a restart between this object's write and KV's): a retry writes it again.
      try {
        await new SessionStore(host.env.SESSIONS, await host.config()).writePending(host.state.record)
      } catch (error) {
        if (!(error instanceof RecordNotWritten)) throw error
        return unstored()
      }
    }
    return { ok: true, created: false, answer: earlier.answer }
  }
}
