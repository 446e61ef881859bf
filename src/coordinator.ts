/**
 * SessionCoordinator: one Durable Object per session, the one authority for
 * its state transitions (KV keeps the edge's fast copy):
 *
 *   created ──launch──▶ launched ──callback──▶ completing ──▶ connected | authorised | failed
 *   (KV only)          (bound to one browser)   (claimed once)      │
 *                                                                   ▼
 *                                              expired ◀── refresh refused / alarm
 *   any state ──DELETE──▶ deleted (a tombstone until every link to it has lapsed)
 *
 * `authorised` is a payment kind's success (payments/kinds.ts): final, no
 * token set. A session started with an Idempotency-Key is created here
 * (`create`, create-if-absent) rather than at its launch, so that this object
 * is the one authority for "this key already made a session".
 *
 * Its storage holds one value, `session` (SessionState): the record as last
 * written to KV, the state's hash, the browser key's hash, the sealed launch
 * ticket until the code is exchanged, and the claim. Every write to a
 * session's KV record after its creation is made here, in order, so no write
 * overwrites a final status with another.
 *
 * No network call runs inside the input gate (blockConcurrencyWhile holds only
 * the read of the state at start-up). Work that calls the identity server —
 * the code exchange, refresh, revocation — runs one at a time on an in-memory
 * promise chain, while the object keeps answering launches, replays and status
 * watchers. The claim of a callback is persisted before the code is sent, so a
 * restart can never lead to a second exchange; a concurrent callback awaits
 * the first one's promise and gets the same answer.
 *
 * Status watchers (GET /sessions/:id?wait, /events) are streams from here: a
 * change is pushed the moment it is made, a heartbeat finds dead readers, and
 * a cancelled stream is dropped at once.
 */
import { DurableObject } from 'cloudflare:workers'
import { readConfig, type Config } from './config'
import { completeConnection, type AuthorizationResponse } from './connection/complete'
import { FlowError, type FlowErrorKind } from './connection/errors'
import { refreshSession } from './connection/refresh'
import { deleteSession, type Deleted } from './connection/revoke'
import { ticketAad, type LaunchTicket } from './connection/start'
import { deliverWebhook } from './connection/webhook'
import { randomToken, sameDigest, sha256 } from './encoding'
import { countOutcome } from './health/count'
import { open } from './storage/seal'
import { currentStatus, nowSeconds, publicSession, SessionStore, type Session, type StoredSession } from './storage/sessions'

/** Errors cross the RPC boundary as data. */
export type Outcome<T> = ({ ok: true } & T) | Refusal

/** A refusal; `returnTo` (and the final `session`, when there is one) once the session is known. */
export interface Refusal {
  ok: false
  kind: FlowErrorKind
  code: string
  message: string
  returnTo?: string
  session?: Session
}

/** The Worker's string settings: this object reads its config from them, so that it runs with the caller's. */
export type Settings = Record<string, string>

/** The settings of an env: every string var and secret (bindings are the object's own). */
export const settingsOf = (env: Env): Settings =>
  Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => typeof entry[1] === 'string'))

interface SessionState {
  /** The session record as last written to KV: the authority. */
  record: StoredSession
  stateHash?: string
  browserKeyHash?: string
  /** The sealed launch ticket (nonce, PKCE verifier), until the code is exchanged. */
  sealedTicket?: string
  /** When the callback was claimed: written before the code is sent. */
  claimedAt?: number
  /** DELETE /sessions/:id: nothing opens or completes this session again. */
  deleted?: true
  /** When the authorizeUrl lapses (the pending deadline): a final session is remembered at least until then. */
  linkExpiresAt?: number
  /** When this state may be forgotten (every link to it has lapsed). */
  forgetAt?: number
  /** Made by `create` (an Idempotency-Key): the body's hash and the answer, for a retried POST. */
  made?: { bodyHash: string; answer: StartAnswer }
  /** Remember this state at least until then (an Idempotency-Key's 24 h). */
  keepUntil?: number
}

/** A session made for an Idempotency-Key (create). */
export interface CreateRequest {
  /** The pending record, with the id derived from the key. */
  record: StoredSession
  /** The launch ticket's state, and the sealed ticket. */
  state: string
  sealedTicket: string
  /** The body's hash (canonical JSON) and the answer a retry gets. */
  made: { bodyHash: string; answer: StartAnswer }
  /** Remembered at least until then (24 h). */
  keepUntil: number
  settings: Settings
}

/** What POST /payments (and the other payment starts) answer: given again to a retry with the same Idempotency-Key. */
export interface StartAnswer {
  id: string
  authorizeUrl: string
  statusUrl: string
  expiresAt: number
  /** The session secret the backend hands to its page, to read the status (http/sessionSecret.ts). */
  secret?: string
}

/** Watchers of one session's status at once, and how often a stream proves its reader is there. */
export const MAX_WATCHERS_PER_SESSION = 10
const HEARTBEAT_MS = 15_000

interface Watcher {
  id: string
  writer: WritableStreamDefaultWriter<Uint8Array>
  once: boolean
  deadline?: ReturnType<typeof setTimeout>
  heartbeat?: ReturnType<typeof setInterval>
  chain: Promise<unknown>
}

const encoder = new TextEncoder()
const sse = (event: string, data: unknown) => encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
const refusal = (kind: FlowErrorKind, code: string, message: string, known: Partial<Refusal> = {}): Refusal => ({
  ok: false,
  kind,
  code,
  message,
  ...known,
})
const isFinal = (record: StoredSession) => record.status !== 'pending'
const configs = new Map<string, Promise<Config>>()

export class SessionCoordinator extends DurableObject<Env> {
  private state: SessionState | undefined
  /** A `create` writing its KV record: a concurrent retry answers once it is written. */
  private creating: Promise<unknown> | undefined
  private claim: Promise<Outcome<{ session: Session; returnTo?: string }>> | undefined
  private tail: Promise<unknown> = Promise.resolve()
  private readonly watchers = new Map<string, Watcher>()

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    // Storage only, no network: the state is in memory before the first call is delivered.
    void ctx.blockConcurrencyWhile(async () => {
      this.state = await ctx.storage.get<SessionState>('session')
    })
  }

  /** Read once per isolate for each set of settings (every session's object shares it: importing keys is the costly part). */
  private config(settings?: Settings): Promise<Config> {
    const key = settings ? JSON.stringify(settings) : ''
    let config = configs.get(key)
    if (!config) {
      if (configs.size >= 8) configs.clear()
      config = readConfig(settings ? ({ ...this.env, ...settings } as Env) : this.env)
      configs.set(key, config)
      config.catch(() => configs.delete(key))
    }
    return config
  }

  /** One at a time, without holding the input gate: the work may call the identity server. */
  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work)
    this.tail = run.catch(() => undefined)
    return run
  }

  /** The state and its alarm, written together (one coalesced write: nothing awaits between them). */
  private async save(state: SessionState) {
    this.state = state
    const put = this.ctx.storage.put('session', state)
    await Promise.all([put, this.scheduleAlarm()])
  }

  private alarmAt: number | undefined

  /**
   * Opening the authorizeUrl. The first browser gets a new browser key (its
   * cookie); the same browser again (back button, reload) gets the same one
   * while the session is pending; any other browser is refused; a final
   * session answers with its outcome. Only `{ ok: true }` lets the Worker send
   * anything upstream.
   */
  async launch(pending: StoredSession, state: string, sealedTicket: string, browserKey?: string): Promise<Outcome<{ browserKey: string }>> {
    const fresh = randomToken(16)
    const [stateHash, freshHash, presentedHash] = await Promise.all([
      sha256(state),
      sha256(fresh),
      browserKey ? sha256(browserKey) : undefined,
    ])
    const known = { ...(pending.returnTo ? { returnTo: pending.returnTo } : {}) }
    const expired = () => refusal('gone', 'session_expired', 'this connection link has expired; start a new one from the app', known)
    // From here to the write, nothing awaits: two browsers opening the link at once cannot both be first.
    if (!this.state) {
      if (pending.expiresAt <= nowSeconds()) return expired()
      await this.save({ record: pending, stateHash, browserKeyHash: freshHash, sealedTicket, linkExpiresAt: pending.expiresAt })
      return { ok: true, browserKey: fresh }
    }
    if (this.state.deleted) return refusal('gone', 'session_deleted', 'this connection was cancelled; start a new one from the app', known)
    if (!this.state.browserKeyHash && !isFinal(this.state.record)) {
      // Made by `create` and not yet opened: the first browser binds it, with the ticket it was made with.
      if (!this.state.stateHash || !sameDigest(this.state.stateHash, stateHash))
        return refusal('invalid', 'ticket_invalid', 'this authorisation link is not valid; start a new session')
      if (this.state.record.expiresAt <= nowSeconds()) return expired()
      await this.save({ ...this.state, browserKeyHash: freshHash })
      return { ok: true, browserKey: fresh }
    }
    if (this.claim) await this.claim.catch(() => undefined) // completing: answer with its outcome
    const current = this.state
    if (isFinal(current.record)) return this.finalAnswer('link_used')
    if (current.claimedAt !== undefined) return refusal('conflict', 'link_used', 'this connection is already being completed', known)
    if (current.record.expiresAt <= nowSeconds()) return expired()
    if (presentedHash && current.browserKeyHash && sameDigest(presentedHash, current.browserKeyHash))
      return { ok: true, browserKey: browserKey! }
    return refusal('conflict', 'link_used', 'this connection link was already opened in another browser', known)
  }

  /**
   * Create-if-absent, for a session whose id is derived from an
   * Idempotency-Key (routes/payments.ts): this object is the one authority for
   * "already made". The first call stores the session (state, ticket, answer)
   * and writes its pending KV record; every later call with the same body hash
   * gets the first one's answer, and with another body `idempotency_key_reused`.
   */
  async create({
    record,
    state,
    sealedTicket,
    made,
    keepUntil,
    settings,
  }: CreateRequest): Promise<Outcome<{ created: boolean; answer: StartAnswer }>> {
    const stateHash = await sha256(state)
    // From the check to the save, nothing awaits: two retries at once cannot both create.
    if (!this.state) {
      await this.save({ record, stateHash, sealedTicket, linkExpiresAt: record.expiresAt, made, keepUntil, forgetAt: keepUntil })
      const config = await this.config(settings)
      this.creating = new SessionStore(this.env.SESSIONS, config).writePending(record)
      await this.creating
      return { ok: true, created: true, answer: made.answer }
    }
    await this.creating?.catch(() => undefined)
    const earlier = this.state.made
    if (this.state.deleted || !earlier) return refusal('gone', 'session_deleted', 'the session this Idempotency-Key made was deleted')
    if (earlier.bodyHash !== made.bodyHash) {
      return refusal('invalid', 'idempotency_key_reused', 'this Idempotency-Key was used with another request body')
    }
    return { ok: true, created: false, answer: earlier.answer }
  }

  /**
   * The callback, claimed once. The state must be this session's; a final
   * session answers with its outcome; then the browser binding is checked,
   * before anything can change the session (nothing without the cookie does).
   * Concurrent callbacks await the first one's claim and get its answer.
   */
  async complete(
    response: AuthorizationResponse,
    browserKey: string | undefined,
    settings: Settings,
  ): Promise<Outcome<{ session: Session; returnTo?: string }>> {
    const [stateHash, presentedHash] = await Promise.all([sha256(response.state), browserKey ? sha256(browserKey) : undefined])
    const current = this.state
    if (!current?.stateHash || !sameDigest(current.stateHash, stateHash)) {
      return refusal('invalid', 'state_unknown', 'the state does not belong to any session')
    }
    const known = { ...(current.record.returnTo ? { returnTo: current.record.returnTo } : {}) }
    if (current.deleted) return refusal('gone', 'session_deleted', 'this connection was cancelled; start a new one from the app')
    if (isFinal(current.record)) return this.finalAnswer('state_used')
    if (!presentedHash || !current.browserKeyHash || !sameDigest(presentedHash, current.browserKeyHash)) {
      return refusal('invalid', 'browser_mismatch', 'this callback did not come from the browser that started the connection', known)
    }
    if (this.claim) return this.claim
    if (current.claimedAt === undefined && current.record.expiresAt <= nowSeconds()) {
      return refusal('invalid', 'state_expired', 'the session expired before the user came back', known)
    }
    this.claim = this.serially(() => this.exchange(response, settings))
    return this.claim
  }

  /** A final session's answer: a refusal that carries the outcome, so the browser is sent back with it. */
  private finalAnswer(code: string): Refusal {
    const record = this.state!.record
    return refusal('invalid', code, 'this connection was already completed', {
      session: publicSession(record),
      ...(record.returnTo ? { returnTo: record.returnTo } : {}),
    })
  }

  private async exchange(response: AuthorizationResponse, settings: Settings): Promise<Outcome<{ session: Session; returnTo?: string }>> {
    const current = this.state!
    const config = await this.config(settings)
    const store = new SessionStore(this.env.SESSIONS, config)
    let record: StoredSession
    if (current.claimedAt !== undefined) {
      // Claimed before a restart: the code may have been sent. A second exchange would make the server revoke the first's tokens.
      record = await store.markFailed(current.record, 'exchange_interrupted', 'the code exchange was interrupted; start again')
    } else {
      await this.save({ ...current, claimedAt: Date.now() })
      const ticket = current.sealedTicket
        ? await open<LaunchTicket>(config.encryptionKeys, current.sealedTicket, ticketAad(current.record.id))
        : undefined
      record = ticket
        ? await completeConnection(config, store, current.record, ticket, response)
        : await store.markFailed(current.record, 'session_unreadable', 'the session cannot be decrypted with TOKEN_ENCRYPTION_KEY')
    }
    await this.transition(record, config)
    return { ok: true, session: publicSession(record), ...(record.returnTo ? { returnTo: record.returnTo } : {}) }
  }

  /** A new record, written to KV by the caller: kept here, pushed to watchers, reported once when it is a new outcome. */
  private async transition(record: StoredSession, config: Config) {
    const before = this.state?.record.status
    const { sealedTicket: _, ...rest }: Partial<SessionState> = this.state ?? {}
    // A final state is remembered while its link could still be opened, so that opening it never starts anything again.
    const linkLapses = (rest.linkExpiresAt ?? 0) + 60
    const final =
      record.status === 'failed'
        ? Math.max(nowSeconds() + config.sessionTtlSeconds, linkLapses)
        : record.status === 'expired'
          ? Math.max(nowSeconds(), linkLapses)
          : record.status === 'authorised'
            ? Math.max(record.expiresAt, linkLapses)
            : undefined
    const forgetAt = final === undefined ? undefined : Math.max(final, rest.keepUntil ?? 0)
    await this.save({ ...rest, record, ...(forgetAt !== undefined ? { forgetAt } : {}) })
    const session = publicSession(record)
    this.push(session)
    if (before !== record.status) this.ctx.waitUntil(deliverWebhook(config, session))
    countOutcome(before, record)
  }

  async refresh(id: string, settings?: Settings): Promise<Outcome<{ session: Session }>> {
    return this.serially(() =>
      this.answer(async () => {
        const config = await this.config(settings)
        const store = new SessionStore(this.env.SESSIONS, config)
        if (this.state?.deleted) throw new FlowError('not_found', 'session_not_found', 'no session has this id (it may have expired)')
        const { session, record } = await refreshSession(config, store, this.state?.record ?? (await store.get(id)))
        await this.transition(record, config)
        return { session }
      }),
    )
  }

  async remove(id: string, settings?: Settings): Promise<Outcome<Deleted>> {
    return this.serially(() =>
      this.answer(async () => {
        const config = await this.config(settings)
        const store = new SessionStore(this.env.SESSIONS, config)
        const record = this.state?.deleted ? undefined : (this.state?.record ?? (await store.get(id)))
        const stateHash = this.state?.stateHash
        const deleted = await deleteSession(config, store, record)
        // A tombstone: the authorizeUrl and the callback of a deleted session must not bring it back while they are valid.
        await this.ctx.storage.deleteAll()
        this.alarmAt = undefined
        await this.save({
          record: record!,
          deleted: true,
          ...(stateHash ? { stateHash } : {}),
          forgetAt: nowSeconds() + config.sessionTtlSeconds + 60,
        })
        for (const watcher of this.watchers.values()) this.write(watcher, sse('gone', { id }), true)
        return deleted
      }),
    )
  }

  private async answer<T extends object>(work: () => Promise<T>): Promise<Outcome<T>> {
    try {
      return { ok: true as const, ...(await work()) }
    } catch (error) {
      if (error instanceof FlowError) return refusal(error.kind, error.code, error.message)
      throw error
    }
  }

  /**
   * A stream of the session's status as Server-Sent Events. `initial` is what
   * the caller read from KV: sent first unless `once`, and replaced at once by
   * what this object knows if that differs. With `once`, the stream ends after
   * the first change (long-polling); otherwise at a final status. Both end
   * after `maxMs`, or when the reader goes away.
   */
  async watch(
    initial: Session,
    options: { once: boolean; maxMs: number },
  ): Promise<Outcome<{ stream: ReadableStream<Uint8Array>; watcher: string }>> {
    if (this.watchers.size >= MAX_WATCHERS_PER_SESSION) {
      return refusal('too_many', 'too_many_watchers', 'too many status requests are open for this session; close one and retry')
    }
    const { readable, writable } = new IdentityTransformStream()
    const watcher: Watcher = { id: randomToken(9), writer: writable.getWriter(), once: options.once, chain: Promise.resolve() }
    this.watchers.set(watcher.id, watcher)
    // The reader cancelling (the client went) errors the writable side at once.
    watcher.writer.closed.catch(() => this.drop(watcher, true))
    watcher.deadline = setTimeout(() => this.drop(watcher), options.maxMs)
    if (!options.once) {
      watcher.heartbeat = setInterval(() => this.write(watcher, encoder.encode(': heartbeat\n\n')), HEARTBEAT_MS)
      this.write(watcher, sse('status', initial))
    }
    const known = this.state && !this.state.deleted ? publicSession(this.state.record) : undefined
    if (this.state?.deleted) this.write(watcher, sse('gone', { id: initial.id }), true)
    else if (known && known.status !== initial.status) this.write(watcher, sse('status', known), options.once || known.status !== 'pending')
    return { ok: true, stream: readable as ReadableStream<Uint8Array>, watcher: watcher.id }
  }

  /** The Worker saw its client go: drop the stream now rather than at its next write. */
  unwatch(id: string): void {
    const watcher = this.watchers.get(id)
    if (watcher) this.drop(watcher, true)
  }

  private push(session: Session) {
    for (const watcher of this.watchers.values()) this.write(watcher, sse('status', session), watcher.once || session.status !== 'pending')
  }

  /** Writes in order; a failed write means the reader is gone. */
  private write(watcher: Watcher, bytes: Uint8Array, last = false) {
    watcher.chain = watcher.chain
      .then(() => watcher.writer.write(bytes))
      .then(
        () => last && this.drop(watcher),
        () => this.drop(watcher, true),
      )
    if (last) this.stopTimers(watcher)
  }

  private stopTimers(watcher: Watcher) {
    if (watcher.deadline) clearTimeout(watcher.deadline)
    if (watcher.heartbeat) clearInterval(watcher.heartbeat)
  }

  private drop(watcher: Watcher, broken = false) {
    if (!this.watchers.delete(watcher.id)) return
    this.stopTimers(watcher)
    if (broken) watcher.writer.abort().catch(() => undefined)
    else watcher.writer.close().catch(() => undefined)
  }

  /** How many status streams are open here (what the tests watch to see this object go idle). */
  watching(): number {
    return this.watchers.size
  }

  private async scheduleAlarm() {
    const state = this.state
    if (!state) return
    const record = state.record
    const at =
      state.forgetAt ??
      (record.status === 'pending'
        ? record.expiresAt + 60
        : record.status === 'connected'
          ? Math.max(record.expiresAt, record.refreshableUntil ?? 0)
          : nowSeconds())
    if (at === this.alarmAt) return
    this.alarmAt = at
    await this.ctx.storage.setAlarm(at * 1000)
  }

  /** Tokens spent: scrub them from KV and report `expired`. Anything past its time is forgotten. */
  override async alarm(): Promise<void> {
    this.alarmAt = undefined // spent
    const state = this.state
    if (!state) return this.legacyAlarm()
    if (this.claim && state.record.status === 'pending') return // an exchange is running; its transition reschedules
    if (!state.deleted && state.record.status === 'connected') {
      if (currentStatus(state.record) !== 'expired') return this.scheduleAlarm()
      await this.serially(async () => {
        const config = await this.config()
        if (this.state?.record.status !== 'connected' || currentStatus(this.state.record) !== 'expired') return
        await this.transition(await new SessionStore(this.env.SESSIONS, config).markExpired(this.state.record), config)
      })
    }
    const after = this.state
    if (after?.forgetAt !== undefined && after.forgetAt > nowSeconds()) return this.scheduleAlarm()
    this.state = undefined
    this.alarmAt = undefined
    await this.ctx.storage.deleteAll()
  }

  /** Sessions connected before this object kept their state: only an id and an alarm. */
  private async legacyAlarm() {
    const id = await this.ctx.storage.get<string>('id')
    if (!id) return
    const config = await this.config()
    const store = new SessionStore(this.env.SESSIONS, config)
    const record = await store.get(id)
    if (record?.status === 'connected' && currentStatus(record) === 'expired') {
      await deliverWebhook(config, publicSession(await store.markExpired(record)))
    }
    await this.ctx.storage.deleteAll()
  }
}

/** The coordinator of one session. */
export const coordinatorOf = (env: Env, id: string) => env.SESSION_COORDINATOR.get(env.SESSION_COORDINATOR.idFromName(id))
