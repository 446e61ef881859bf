/**
 * SessionCoordinator: one Durable Object per session, the one authority for
 * its state transitions (KV keeps the edge's fast copy):
 *
 *   created ──launch──▶ launched ──callback──▶ completing ──▶ connected | authorised | failed
 *   (KV only)          (bound to one browser)   (claimed once)      │            ▲          ▲
 *                                                     │             ▼            │          │
 *                                                     └──▶ confirming ──alarm: reconciliation
 *                                              expired ◀── refresh refused / alarm
 *   any state ──DELETE──▶ deleted (a tombstone until every link to it has lapsed)
 *
 * `confirming`: a payment kind's code was sent and its outcome is unknown (a
 * timeout, a 5xx, an id_token failing its checks, a restart after the claim).
 * The alarm then asks Moneyhub's records (payments/reconciliation.ts,
 * docs/reconciliation.md) until the window passes: `authorised` with the id,
 * or `failed` (`payment_not_made`). An `authorised` session without its id
 * (`reason: id_pending`) is looked up the same way.
 *
 * Nothing is ever stuck: the outcome is kept in this object's storage before
 * its KV write, a failed KV write is retried from the alarm, and the alarm is
 * rescheduled while any work remains (`unwritten`, `reconcile`, a claim whose
 * exchange was interrupted).
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
import { getConfig, type Config } from './config'
import { authorisedRetentionSeconds, completeConnection, type AuthorizationResponse } from './connection/complete'
import { ApiError, type ErrorCode } from './errors'
import { refreshSession } from './connection/refresh'
import { deleteSession, type Deleted } from './connection/revoke'
import { ticketAad, type LaunchTicket } from './connection/start'
import { addToOutbox, attemptFromOutbox, flushOutbox, outboxDueInS, outboxNextAt } from './connection/webhookOutbox'
import { settleRefund } from './payments/refundLedger'
import { randomToken, sameDigest, sha256 } from './util/encoding'
import { countOutcome } from './health/count'
import { log } from './util/log'
import { isPaymentKind } from './payments/kinds'
import { targetOf, type ListCursor, type MatchResult, type MatchTarget } from './payments/reconciliation'
import { holdOwnIds, proveMade, registerLookAlike } from './payments/lookAlikes'
import { followFor, lookAtPayment, type Follow } from './payments/followStatus'
import { isUnresolved, keepUnresolvedUntil, nextLookAt } from './payments/nextLook'
import { settleUnresolved, type Settlement } from './payments/settle'
import {
  payUnderConsent,
  paymentsUnderConsent,
  reconcilePays,
  revokeConsent,
  type PayAnswer,
  type PaymentUnderConsent,
  type RecurringPayBody,
} from './payments/recurring'
import { IDEMPOTENCY_TTL_SECONDS, IdempotencyStore, type IdempotencyFastPath } from './storage/idempotency'
import { open } from './storage/seal'
import {
  currentStatus,
  nowSeconds,
  publicSession,
  RecordNotWritten,
  SessionStore,
  type OutcomeIds,
  type Session,
  type StoredSession,
} from './storage/sessions'
import { forgetUnresolved, indexUnresolved } from './storage/unresolved'
import { admitWatcher, type OpenWatcher, type WatcherCaller } from './watcherFairness'

/** Errors cross the RPC boundary as data. */
export type Outcome<T> = ({ ok: true } & T) | Refusal

/** A refusal; `returnTo` (and the final `session`, when there is one) once the session is known. */
export interface Refusal {
  ok: false
  code: ErrorCode
  message: string
  returnTo?: string
  session?: Session
}

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
  /** Made by `create` (an Idempotency-Key): the body's hash and the answer, for a retried POST; where KV remembers the key. */
  made?: { bodyHash: string; answer: StartAnswer; fastPath?: IdempotencyFastPath }
  /** Remember this state at least until then (an Idempotency-Key's 24 h). */
  keepUntil?: number
  /** A payment kind's outcome (confirming) or id (authorised, id_pending) being looked for in Moneyhub's records. */
  reconcile?: Reconciliation
  /** A VRP consent's pays whose outcome is unknown (payments/recurring.ts): looked for in Moneyhub's payments from the alarm. */
  pays?: { attempt: number; nextAt: number }
  /** An authorised payment's Moneyhub status, read until it is final, within a bound (payments/followStatus.ts, issue 27). */
  follow?: Follow
  /** The record's KV write failed: written again from the alarm (seconds: until when KV keeps it; the next try). */
  unwritten?: { keepUntil: number; attempt: number; nextAt: number }
}

/** Reconciliation of one session (payments/reconciliation.ts); times in seconds since the epoch. */
interface Reconciliation {
  /** What the authorisation request asked for; absent when its ticket could not be read. */
  target?: MatchTarget
  /** The claim of the callback: the window opens here... */
  from: number
  /** ...and closes here (RECONCILIATION_WINDOW_SECONDS later). */
  until: number
  attempt: number
  nextAt: number
  firstDelay: number
  /** A read of Moneyhub's list that did not end in one look (bounded work): the next look goes on from here. */
  cursor?: ListCursor
}

/** The next try of a failed KV write: 1 s, doubling, at most a minute apart. */
const rewriteDelayS = (attempt: number) => Math.min(60, 2 ** attempt)
/** An interrupted claim is noticed this long after it was made (well past any exchange's deadline). */
const CLAIM_STALE_S = 60

/** A session made for an Idempotency-Key (create). */
export interface CreateRequest {
  /** The pending record, with the id derived from the key. */
  record: StoredSession
  /** The launch ticket's state, and the sealed ticket. */
  state: string
  sealedTicket: string
  /** The body's hash (canonical JSON) and the answer a retry gets. */
  made: { bodyHash: string; answer: StartAnswer; fastPath?: IdempotencyFastPath }
  /** Remembered at least until then (24 h). */
  keepUntil: number
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

/** How often a stream proves its reader is there. */
const HEARTBEAT_MS = 15_000

interface Watcher extends OpenWatcher {
  id: string
  writer: WritableStreamDefaultWriter<Uint8Array>
  once: boolean
  deadline?: ReturnType<typeof setTimeout>
  heartbeat?: ReturnType<typeof setInterval>
  chain: Promise<unknown>
}

const encoder = new TextEncoder()
const sse = (event: string, data: unknown) => encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
const refusal = (code: ErrorCode, message: string, known: Partial<Refusal> = {}): Refusal => ({
  ok: false,
  code,
  message,
  ...known,
})
const isFinal = (record: StoredSession) => record.status !== 'pending'
/** A status after which a watcher has nothing more to wait for (confirming still changes). */
const isSettled = (status: Session['status']) => status !== 'pending' && status !== 'confirming'

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

  /** Its own settings (this.env), never its caller's: read once per isolate (getConfig), as every object there is given the same env. */
  private config(): Promise<Config> {
    return getConfig(this.env)
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
    const expired = () => refusal('session_expired', 'this connection link has expired; start a new one from the app', known)
    // From here to the write, nothing awaits: two browsers opening the link at once cannot both be first.
    if (!this.state) {
      if (pending.expiresAt <= nowSeconds()) return expired()
      await this.save({ record: pending, stateHash, browserKeyHash: freshHash, sealedTicket, linkExpiresAt: pending.expiresAt })
      return { ok: true, browserKey: fresh }
    }
    if (this.state.deleted) return refusal('session_deleted', 'this connection was cancelled; start a new one from the app', known)
    if (!this.state.browserKeyHash && !isFinal(this.state.record)) {
      // Made by `create` and not yet opened: the first browser binds it, with the ticket it was made with.
      if (!this.state.stateHash || !sameDigest(this.state.stateHash, stateHash))
        return refusal('ticket_invalid', 'this authorisation link is not valid; start a new session')
      if (this.state.record.expiresAt <= nowSeconds()) return expired()
      await this.save({ ...this.state, browserKeyHash: freshHash })
      return { ok: true, browserKey: fresh }
    }
    if (this.claim) await this.claim.catch(() => undefined) // completing: answer with its outcome
    const current = this.state
    if (isFinal(current.record)) return this.finalAnswer('link_used')
    if (current.claimedAt !== undefined) return refusal('link_used', 'this connection is already being completed', known)
    if (current.record.expiresAt <= nowSeconds()) return expired()
    if (presentedHash && current.browserKeyHash && sameDigest(presentedHash, current.browserKeyHash))
      return { ok: true, browserKey: browserKey! }
    return refusal('link_used', 'this connection link was already opened in another browser', known)
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
  }: CreateRequest): Promise<Outcome<{ created: boolean; answer: StartAnswer }>> {
    const stateHash = await sha256(state)
    const unstored = () =>
      refusal('session_store_unavailable', 'the session could not be stored just now; retry with the same Idempotency-Key')
    // From the check to the save, nothing awaits: two retries at once cannot both create.
    if (!this.state) {
      await this.save({ record, stateHash, sealedTicket, linkExpiresAt: record.expiresAt, made, keepUntil, forgetAt: keepUntil })
      const config = await this.config()
      const creating = new SessionStore(this.env.SESSIONS, config).writePending(record)
      this.creating = creating
      try {
        await creating
      } catch (error) {
        if (!(error instanceof RecordNotWritten)) throw error
        // Atomic with its KV record: nothing was made, so a retry makes it (no "replayed" answer for a 404 status).
        this.state = undefined
        this.alarmAt = undefined
        await this.ctx.storage.deleteAll()
        return unstored()
      } finally {
        if (this.creating === creating) this.creating = undefined
      }
      return { ok: true, created: true, answer: made.answer }
    }
    await this.creating?.catch(() => undefined)
    if (!this.state) return this.create({ record, state, sealedTicket, made, keepUntil }) // the first one was undone
    const earlier = this.state.made
    if (this.state.deleted || !earlier) return refusal('session_deleted', 'the session this Idempotency-Key made was deleted')
    if (earlier.bodyHash !== made.bodyHash) {
      return refusal('idempotency_key_reused', 'this Idempotency-Key was used with another request body')
    }
    if (this.state.record.status === 'pending' && this.state.claimedAt === undefined) {
      // The KV record may be missing (a restart between this object's write and KV's): a retry writes it again.
      try {
        await new SessionStore(this.env.SESSIONS, await this.config()).writePending(this.state.record)
      } catch (error) {
        if (!(error instanceof RecordNotWritten)) throw error
        return unstored()
      }
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
  ): Promise<Outcome<{ session: Session; returnTo?: string }>> {
    const [stateHash, presentedHash] = await Promise.all([sha256(response.state), browserKey ? sha256(browserKey) : undefined])
    const current = this.state
    if (!current?.stateHash || !sameDigest(current.stateHash, stateHash)) {
      return refusal('state_unknown', 'the state does not belong to any session')
    }
    const known = { ...(current.record.returnTo ? { returnTo: current.record.returnTo } : {}) }
    if (current.deleted) return refusal('session_deleted', 'this connection was cancelled; start a new one from the app')
    if (isFinal(current.record)) return this.finalAnswer('state_used')
    if (!presentedHash || !current.browserKeyHash || !sameDigest(presentedHash, current.browserKeyHash)) {
      return refusal('browser_mismatch', 'this callback did not come from the browser that started the connection', known)
    }
    if (this.claim) return this.claim
    if (current.claimedAt === undefined && current.record.expiresAt <= nowSeconds()) {
      return refusal('state_expired', 'the session expired before the user came back', known)
    }
    const claim = this.serially(() => this.exchange(response))
    this.claim = claim
    // A rejected claim is cleared: the next callback settles the claimed session (interrupted) rather than replaying the rejection.
    claim.catch(() => {
      if (this.claim === claim) this.claim = undefined
    })
    return claim
  }

  /** A final session's answer: a refusal that carries the outcome, so the browser is sent back with it. */
  private finalAnswer(code: ErrorCode): Refusal {
    const record = this.state!.record
    return refusal(code, 'this connection was already completed', {
      session: publicSession(record),
      ...(record.returnTo ? { returnTo: record.returnTo } : {}),
    })
  }

  private async exchange(response: AuthorizationResponse): Promise<Outcome<{ session: Session; returnTo?: string }>> {
    const config = await this.config()
    if (this.state!.claimedAt !== undefined) {
      // Claimed before a restart: the code may have been sent. A second exchange would make the server revoke the first's tokens.
      const record = await this.interrupted(config)
      return { ok: true, session: publicSession(record), ...(record.returnTo ? { returnTo: record.returnTo } : {}) }
    }
    this.exchanging = true
    try {
      const current = this.state!
      const claimedAt = Date.now()
      await this.save({ ...current, claimedAt })
      const store = new SessionStore(this.env.SESSIONS, config)
      const ticket = await this.ticketOf(config, current)
      // Before the code is sent: a record this session may make could look like another's (payments/lookAlikes.ts).
      const target = ticket && current.record.kind ? targetOf(current.record.kind, ticket.claims) : undefined
      const holdIds = (ids: OutcomeIds) => holdOwnIds(this.env, current.record.kind!, current.record.id, ids)
      // Every error after the claim ends in a record kept here first: an unknown outcome for a payment kind, never a lost one.
      const { record, unwritten } = await this.written(
        async () => {
          if (!ticket)
            return store.markFailed(current.record, 'session_unreadable', 'the session cannot be decrypted with TOKEN_ENCRYPTION_KEY')
          if (target)
            await registerLookAlike(this.env, current.record, target, Math.floor(claimedAt / 1000), config.reconciliationWindowSeconds)
          return completeConnection(config, store, current.record, ticket, response, holdIds)
        },
        () => this.unknownOutcome(store, config, current.record, 'internal_error'),
      )
      await this.transition(record, config, { unwritten, reconcile: this.reconciliationFor(record, config, claimedAt, ticket) })
      return { ok: true, session: publicSession(record), ...(record.returnTo ? { returnTo: record.returnTo } : {}) }
    } finally {
      this.exchanging = false
    }
  }

  /** An exchange is running in this instance (its claim is not stale). */
  private exchanging = false

  /** The launch ticket (nonce, verifier, the claims asked for), when it can be opened. */
  private async ticketOf(config: Config, state: SessionState): Promise<LaunchTicket | undefined> {
    if (!state.sealedTicket) return undefined
    return open<LaunchTicket>(config.encryptionKeys, state.sealedTicket, ticketAad(state.record.id)).catch(() => undefined)
  }

  /**
   * The claim was made and its exchange never ended here (a restart): the code
   * may have been sent. A payment kind is confirming (reconciliation decides);
   * a connection failed, as no money moves (the user starts again).
   */
  private async interrupted(config: Config): Promise<StoredSession> {
    const current = this.state!
    const store = new SessionStore(this.env.SESSIONS, config)
    const ticket = await this.ticketOf(config, current)
    const { record, unwritten } = await this.written(() => this.unknownOutcome(store, config, current.record, 'exchange_interrupted'))
    await this.transition(record, config, { unwritten, reconcile: this.reconciliationFor(record, config, current.claimedAt!, ticket) })
    return record
  }

  /** The outcome after the claim when nothing trustworthy came back. */
  private unknownOutcome(store: SessionStore, config: Config, record: StoredSession, reason: string): Promise<StoredSession> {
    return isPaymentKind(record)
      ? store.markConfirming(record, reason, IDEMPOTENCY_TTL_SECONDS)
      : store.markFailed(record, reason, reason === 'exchange_interrupted' ? 'the code exchange was interrupted; start again' : undefined)
  }

  /**
   * Runs a write of the session's record. A KV write that failed gives its
   * record back as `unwritten` (kept here, written again from the alarm); any
   * other error gives `otherwise`'s record (itself written, or unwritten).
   */
  private async written(
    write: () => Promise<StoredSession>,
    otherwise?: () => Promise<StoredSession>,
  ): Promise<{ record: StoredSession; unwritten?: number }> {
    try {
      return { record: await write() }
    } catch (error) {
      if (error instanceof RecordNotWritten) {
        log('warn', 'session_write_failed', { sessionId: error.record.id, status: error.record.status })
        return { record: error.record, unwritten: error.keepUntil }
      }
      if (!otherwise) throw error
      log('error', 'session_outcome_error', { error: error instanceof Error ? error.name : 'unknown' })
      return this.written(otherwise)
    }
  }

  /** What reconciliation looks for when the record's outcome or id is unknown. */
  private reconciliationFor(
    record: StoredSession,
    config: Config,
    claimedAt: number,
    ticket: LaunchTicket | undefined,
  ): Reconciliation | undefined {
    const unknown = record.status === 'confirming' || (record.status === 'authorised' && record.reason === 'id_pending')
    if (!unknown || !record.kind) return undefined
    const target = ticket ? targetOf(record.kind, ticket.claims) : undefined
    const from = Math.floor(claimedAt / 1000)
    const firstDelay = config.reconciliationFirstDelaySeconds
    return {
      ...(target ? { target } : {}),
      from,
      until: from + config.reconciliationWindowSeconds,
      attempt: 0,
      nextAt: nowSeconds() + firstDelay,
      firstDelay,
    }
  }

  /** A new record, written to KV by the caller (or `unwritten`: its write failed): kept here, pushed to watchers, reported once when it is a new outcome. */
  private async transition(
    record: StoredSession,
    config: Config,
    work: { unwritten?: number | undefined; reconcile?: Reconciliation | undefined } = {},
  ) {
    const before = this.state?.record
    const { sealedTicket: _, unwritten: __, reconcile: ___, follow: following, ...rest }: Partial<SessionState> = this.state ?? {}
    // An authorised payment's Moneyhub status is followed until it is final (issue 27): begun here, kept until then.
    const follow = record.moneyhubStatus ? undefined : (following ?? followFor(record, nowSeconds()))
    // A final state is remembered while its link could still be opened, so that opening it never starts anything again.
    const linkLapses = (rest.linkExpiresAt ?? 0) + 60
    const final =
      record.status === 'failed'
        ? Math.max(nowSeconds() + config.sessionTtlSeconds, linkLapses)
        : record.status === 'expired'
          ? Math.max(nowSeconds(), linkLapses)
          : record.status === 'authorised' || record.status === 'confirming'
            ? Math.max(record.expiresAt, linkLapses)
            : undefined
    const forgetAt = final === undefined ? undefined : Math.max(final, rest.keepUntil ?? 0)
    // One event per change: of status, or of what it says (confirming's reason, an id found later). In the outbox, committed with the save below.
    const changed = before?.status !== record.status || before?.reason !== record.reason || before?.moneyhubStatus !== record.moneyhubStatus
    const event = changed ? addToOutbox(this.ctx.storage, config, publicSession(record)) : undefined
    await this.save({
      ...rest,
      record,
      ...(forgetAt !== undefined ? { forgetAt } : {}),
      ...(work.unwritten !== undefined ? { unwritten: { keepUntil: work.unwritten, attempt: 0, nextAt: nowSeconds() + 1 } } : {}),
      ...(work.reconcile ? { reconcile: work.reconcile } : {}),
      ...(follow ? { follow } : {}),
    })
    if (isUnresolved(record) || (before && isUnresolved(before))) await this.indexUnresolved()
    const session = publicSession(record)
    this.push(session)
    if (changed) {
      if (event) this.ctx.waitUntil(attemptFromOutbox(this.env, config, this.ctx.storage, event))
      if (record.reverses && before?.status !== record.status) this.ctx.waitUntil(settleRefund(this.env, record, record.status))
    }
    countOutcome(before?.status, record)
  }

  async refresh(id: string): Promise<Outcome<{ session: Session }>> {
    return this.serially(() =>
      this.answer(async () => {
        const config = await this.config()
        const store = new SessionStore(this.env.SESSIONS, config)
        if (this.state?.deleted) throw new ApiError('session_not_found', 'no session has this id (it may have expired)')
        const { session, record } = await refreshSession(config, store, this.state?.record ?? (await store.get(id)))
        await this.transition(record, config)
        return { session }
      }),
    )
  }

  async remove(id: string): Promise<Outcome<Deleted>> {
    return this.serially(() =>
      this.answer(async () => {
        const config = await this.config()
        const store = new SessionStore(this.env.SESSIONS, config)
        const found = this.state?.deleted ? undefined : (this.state?.record ?? (await store.get(id)))
        const { stateHash, made, keepUntil, claimedAt } = this.state ?? {}
        // Its code may have been sent and the outcome is not known: deleting it would drop what may be money moved (issue 26).
        if (found && (isUnresolved(found) || (isPaymentKind(found) && found.status === 'pending' && claimedAt !== undefined)))
          throw new ApiError(
            'outcome_unknown',
            'this session’s outcome is not known yet (money may have moved); it is being looked for in Moneyhub’s records: delete it once it is settled (a person can settle it: POST /unresolved-sessions/:id/settle)',
          )
        let record = found
        // An authorised VRP consent is revoked at Moneyhub first (nothing is deleted when that fails): no live mandate is left unreachable.
        if (record?.kind === 'recurring_payment' && record.status === 'authorised') {
          record = await revokeConsent(config, store, record)
          await this.transition(record, config)
        }
        const consent = record?.kind === 'recurring_payment'
        const deleted = await deleteSession(config, store, record)
        // A refund's hold is released only when its code was never sent; otherwise its outcome settles it.
        if (record?.reverses && (claimedAt === undefined || record.status === 'failed')) await settleRefund(this.env, record, 'deleted')
        // A retry with the session's Idempotency-Key is told it was deleted (410), at the KV fast path and here, for the key's 24 h.
        if (made?.fastPath && keepUntil)
          await new IdempotencyStore(this.env.SESSIONS, config.encryptionKeys).markDeleted(made.fastPath, made.bodyHash, keepUntil)
        // A tombstone: the authorizeUrl and the callback of a deleted session must not bring it back while they are valid.
        // A VRP consent's pay records are kept, as long as the consent's record would have been; webhook events not yet
        // handed on stay in the outbox (the alarm delivers them before the tombstone is forgotten).
        const kept = (key: string) => key.startsWith('webhook:') || (consent && key.startsWith('pay:'))
        const dropped = [...(await this.ctx.storage.list()).keys()].filter((key) => !kept(key))
        for (let i = 0; i < dropped.length; i += 128) await this.ctx.storage.delete(dropped.slice(i, i + 128))
        this.alarmAt = undefined
        await this.save({
          record: record!,
          deleted: true,
          ...(stateHash ? { stateHash } : {}),
          ...(keepUntil ? { keepUntil } : {}),
          forgetAt: Math.max(nowSeconds() + config.sessionTtlSeconds + 60, keepUntil ?? 0, consent ? record!.expiresAt : 0),
        })
        for (const watcher of this.watchers.values()) this.write(watcher, sse('gone', { id }), true)
        return deleted
      }),
    )
  }

  /** POST /recurring-payments/:id/pay (payments/recurring.ts): one at a time per consent, in order with its revocation. */
  async payUnderConsent(pay: {
    idempotencyKey: string
    body: RecurringPayBody
  }): Promise<Outcome<{ answer: PayAnswer; replayed: boolean }>> {
    return this.serially(() =>
      this.answer(async () => {
        const record = this.state?.deleted ? undefined : this.state?.record
        const config = await this.config()
        // The consent's alarm is set before the pay is sent: a restart while it is at Moneyhub leaves it looked at.
        const sending = async () => {
          if (this.state && !this.state.pays)
            await this.save({ ...this.state, pays: { attempt: 0, nextAt: nowSeconds() + config.reconciliationFirstDelaySeconds } })
        }
        const paid = await payUnderConsent(config, { env: this.env, storage: this.ctx.storage, record, sending }, pay)
        const body = paid.answer.body
        // Sent, outcome unknown: Moneyhub's records are asked from the alarm, as for a confirming session.
        if ('status' in body && body.status === 'confirming' && this.state && !this.state.pays)
          await this.save({ ...this.state, pays: { attempt: 0, nextAt: nowSeconds() + config.reconciliationFirstDelaySeconds } })
        return paid
      }),
    )
  }

  /** DELETE /recurring-payments/:id: revoked at Moneyhub, then `revoked` here (webhook, watchers). */
  async revokeConsent(): Promise<Outcome<{ session: Session }>> {
    return this.serially(() =>
      this.answer(async () => {
        const config = await this.config()
        // A consent revoked by DELETE /sessions/:id answers as revoked (it was revoked at Moneyhub first), not 404.
        const before = this.state?.deleted && this.state.record.status !== 'revoked' ? undefined : this.state?.record
        const record = await revokeConsent(config, new SessionStore(this.env.SESSIONS, config), before)
        if (record !== before) await this.transition(record, config)
        return { session: publicSession(record) }
      }),
    )
  }

  /** A VRP consent's status as this object knows it (KV may lag), and the payments made under it through this Worker. */
  async consentState(): Promise<{ session?: Session; payments: PaymentUnderConsent[] }> {
    if (!this.state || this.state.deleted) return { payments: [] }
    return { session: publicSession(this.state.record), payments: await paymentsUnderConsent(this.ctx.storage) }
  }

  private async answer<T extends object>(work: () => Promise<T>): Promise<Outcome<T>> {
    try {
      return { ok: true as const, ...(await work()) }
    } catch (error) {
      if (error instanceof ApiError) return refusal(error.code, error.message)
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
    options: { once: boolean; maxMs: number; caller?: WatcherCaller },
  ): Promise<Outcome<{ stream: ReadableStream<Uint8Array>; watcher: string }>> {
    const caller = options.caller ?? { client: 'unknown', privileged: false, backend: false }
    const admission = admitWatcher([...this.watchers.values()], caller)
    if (!admission.admit) return refusal('too_many_watchers', admission.message)
    const evicted = admission.evict ? this.watchers.get(admission.evict) : undefined
    if (evicted) this.drop(evicted)
    const { readable, writable } = new IdentityTransformStream()
    const watcher: Watcher = {
      id: randomToken(9),
      ...caller,
      openedAt: Date.now(),
      writer: writable.getWriter(),
      once: options.once,
      chain: Promise.resolve(),
    }
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
    else if (known && known.status !== initial.status) this.write(watcher, sse('status', known), options.once || isSettled(known.status))
    return { ok: true, stream: readable as ReadableStream<Uint8Array>, watcher: watcher.id }
  }

  /** The Worker saw its client go: drop the stream now rather than at its next write. */
  unwatch(id: string): void {
    const watcher = this.watchers.get(id)
    if (watcher) this.drop(watcher, true)
  }

  private push(session: Session) {
    for (const watcher of this.watchers.values()) this.write(watcher, sse('status', session), watcher.once || isSettled(session.status))
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
    const base =
      state.forgetAt ??
      (record.status === 'pending'
        ? state.claimedAt !== undefined
          ? Math.floor(state.claimedAt / 1000) + CLAIM_STALE_S
          : record.expiresAt + 60
        : record.status === 'connected'
          ? Math.max(record.expiresAt, record.refreshableUntil ?? 0)
          : nowSeconds())
    // Work that remains comes first: a KV write to retry, Moneyhub's records to ask, a claim to look at again.
    const at = Math.min(
      base,
      state.unwritten?.nextAt ?? Infinity,
      state.reconcile?.nextAt ?? Infinity,
      state.pays?.nextAt ?? Infinity,
      state.follow?.nextAt ?? Infinity,
      outboxNextAt(this.ctx.storage),
      record.status === 'pending' && state.claimedAt !== undefined ? Math.floor(state.claimedAt / 1000) + CLAIM_STALE_S : Infinity,
    )
    if (at === this.alarmAt) return
    this.alarmAt = at
    await this.ctx.storage.setAlarm(at * 1000)
  }

  /** The alarm again in `seconds`, whatever was scheduled (work remains). */
  private async alarmIn(seconds: number) {
    this.alarmAt = nowSeconds() + seconds
    await this.ctx.storage.setAlarm(this.alarmAt * 1000)
  }

  /**
   * The work that remains, then expiry: a failed KV write written again, an
   * interrupted claim settled, Moneyhub's records asked, spent tokens scrubbed
   * (`expired`). Anything past its time is forgotten. An error reschedules.
   */
  override async alarm(): Promise<void> {
    this.alarmAt = undefined // spent
    await flushOutbox(this.env, this.ctx.storage) // webhooks not yet handed on (a restart, a refused queue send): tried again
    const state = this.state
    if (!state) return this.legacyAlarm()
    try {
      if (state.unwritten) await this.serially(() => this.writeAgain())
      if (!state.deleted && this.state?.record.status === 'pending' && this.state.claimedAt !== undefined) {
        if (this.exchanging) return this.alarmIn(10) // running here: its transition reschedules
        await this.serially(async () => {
          if (this.state?.record.status === 'pending' && this.state.claimedAt !== undefined && !this.exchanging)
            await this.interrupted(await this.config())
        })
      }
      if (this.state?.reconcile && !this.state.deleted) await this.serially(() => this.reconcile())
      if (this.state?.pays && !this.state.deleted) await this.serially(() => this.reconcilePays())
      if (this.state?.follow && !this.state.deleted) await this.serially(() => this.followPayment())
      if (!state.deleted && this.state?.record.status === 'connected') {
        if (currentStatus(this.state.record) !== 'expired') return this.scheduleAlarm()
        await this.serially(async () => {
          const config = await this.config()
          if (this.state?.record.status !== 'connected' || currentStatus(this.state.record) !== 'expired') return
          const { record, unwritten } = await this.written(() =>
            new SessionStore(this.env.SESSIONS, config).markExpired(this.state!.record),
          )
          await this.transition(record, config, { unwritten })
        })
      }
    } catch (error) {
      log('error', 'session_alarm_failed', { error: error instanceof Error ? error.name : 'unknown' })
      return this.alarmIn(30)
    }
    const after = this.state
    if (after && (after.unwritten || after.reconcile || after.pays || after.follow)) return this.scheduleAlarm()
    if (after?.forgetAt !== undefined && after.forgetAt > nowSeconds()) return this.scheduleAlarm()
    if (outboxDueInS(this.ctx.storage)) return this.alarmIn(outboxDueInS(this.ctx.storage)) // forgotten once its webhooks are handed on
    this.state = undefined
    this.alarmAt = undefined
    await this.ctx.storage.deleteAll()
  }

  /** The record whose KV write failed, written again; another failure tries later. */
  private async writeAgain() {
    const state = this.state
    if (!state?.unwritten) return
    const config = await this.config()
    try {
      await new SessionStore(this.env.SESSIONS, config).rewrite(state.record, state.unwritten.keepUntil)
      const { unwritten: _, ...rest } = state
      await this.save(rest)
    } catch (error) {
      if (!(error instanceof RecordNotWritten)) throw error
      const attempt = state.unwritten.attempt + 1
      log('warn', 'session_write_failed', { sessionId: state.record.id, status: state.record.status, attempt })
      await this.save({ ...state, unwritten: { ...state.unwritten, attempt, nextAt: nowSeconds() + rewriteDelayS(attempt) } })
    }
  }

  /** One look for each open pay under this VRP consent (payments/recurring.ts, reconcilePays); looks again while any is open. */
  private async reconcilePays() {
    const config = await this.config()
    const { pays, ...rest } = this.state!
    const attempt = (pays?.attempt ?? 0) + 1
    const { nextInS } = await reconcilePays(config, { env: this.env, storage: this.ctx.storage, sessionId: rest.record.id }, attempt)
    await this.save(nextInS === undefined ? rest : { ...rest, pays: { attempt, nextAt: nowSeconds() + nextInS } })
  }

  /** One look at an authorised payment's Moneyhub status: its final one is recorded (a webhook says it); past the bound, no more. */
  private async followPayment() {
    const state = this.state
    if (!state?.follow) return
    const config = await this.config()
    const look = await lookAtPayment(config, state.follow, nowSeconds())
    if ('next' in look) return this.save({ ...state, follow: look.next })
    if ('done' in look) {
      const { follow: _, ...rest } = state
      log('info', 'payment_status_unfollowed', { sessionId: state.record.id })
      return this.save(rest)
    }
    const record: StoredSession = { ...state.record, moneyhubStatus: look.final }
    const { unwritten } = await this.written(async () => {
      await new SessionStore(this.env.SESSIONS, config).rewrite(record, record.expiresAt)
      return record
    })
    await this.transition(record, config, { unwritten })
  }

  /**
   * One look at Moneyhub's records (payments/reconciliation.ts): found, the
   * session is authorised with the id; ambiguous, it says so and stops; not
   * there once the window has passed, a confirming payment failed
   * (`payment_not_made`) and an authorised one stays without its id.
   */
  private async reconcile() {
    const state = this.state
    const look = state?.reconcile
    if (!state || !look) return
    const config = await this.config()
    const store = new SessionStore(this.env.SESSIONS, config)
    const record = state.record
    const confirming = record.status === 'confirming'
    let result: MatchResult | undefined
    try {
      // The user the session knows: the one asked for, or a validated id_token's (authorised without its id).
      const session = { id: record.id, ...(record.userId ? { userId: record.userId } : {}) }
      result = look.target ? await proveMade(this.env, config, session, { ...look, target: look.target }) : { unsupported: true }
    } catch (error) {
      // Moneyhub unreachable says nothing about the payment: look again later, even past the window.
      log('warn', 'reconciliation_unavailable', { sessionId: record.id, error: error instanceof Error ? error.name : 'unknown' })
    }
    const now = nowSeconds()
    let next: () => Promise<StoredSession>
    if (result && 'found' in result) {
      next = () => store.storeAuthorised(record, result.found, authorisedRetentionSeconds(record))
    } else if (result && 'unverified' in result) {
      // A VRP consent is never linked by likeness: no consent id, so nothing is paid under it (docs/reconciliation.md).
      log('warn', 'consent_unverified', { sessionId: record.id })
      next = () =>
        confirming
          ? store.markConfirming(record, 'consent_unverified', IDEMPOTENCY_TTL_SECONDS)
          : store.storeAuthorised(record, { reason: 'consent_unverified' }, authorisedRetentionSeconds(record))
    } else if (result && 'incomplete' in result) {
      // The list was not read whole: never "none". A read that stopped at its page bound goes on at once.
      const { cursor: _, ...rest } = look
      const attempt = look.attempt + 1
      const nextAt = result.cursor ? now + 1 : nextLookAt(now, { ...look, attempt })
      await this.save({ ...state, reconcile: { ...rest, attempt, nextAt, ...(result.cursor ? { cursor: result.cursor } : {}) } })
      return this.keepUnresolved(config)
    } else if (result && 'ambiguous' in result) {
      log('warn', 'reconciliation_ambiguous', { sessionId: record.id, matches: result.ambiguous })
      next = () =>
        confirming
          ? store.markConfirming(record, 'match_ambiguous', IDEMPOTENCY_TTL_SECONDS)
          : store.storeAuthorised(record, { reason: 'id_ambiguous' }, authorisedRetentionSeconds(record))
    } else if (result && now >= look.until) {
      next = () =>
        !confirming
          ? store.storeAuthorised(record, { reason: 'id_not_found' }, authorisedRetentionSeconds(record))
          : 'unsupported' in result
            ? store.markConfirming(record, 'not_reconcilable', IDEMPOTENCY_TTL_SECONDS)
            : store.markFailed(record, 'payment_not_made', 'Moneyhub has no record of this payment: it was not made')
    } else {
      // Nothing decided (not yet there, or Moneyhub unreachable): looked at again, further apart past the window (issue 26).
      const attempt = look.attempt + 1
      // A whole read was spent (its cursor with it); Moneyhub unreachable keeps the read where it stopped.
      const { cursor, ...rest } = look
      const nextAt = nextLookAt(now, { ...look, attempt })
      await this.save({
        ...state,
        reconcile: result ? { ...rest, attempt, nextAt } : { ...rest, ...(cursor ? { cursor } : {}), attempt, nextAt },
      })
      return this.keepUnresolved(config)
    }
    const { record: settled, unwritten } = await this.written(next)
    log('info', 'reconciled', { sessionId: record.id, status: settled.status, reason: settled.reason ?? settled.error })
    // Still unknown (ambiguous, nothing to match on): looked at again until it is settled, here or by a person (issue 26).
    const attempt = look.attempt + 1
    // A decision spent its read: the next look reads the list afresh.
    const { cursor: _spent, ...fresh } = look
    const again = isUnresolved(settled) ? { ...fresh, attempt, nextAt: nextLookAt(nowSeconds(), { ...look, attempt }) } : undefined
    await this.transition(settled, config, { unwritten, reconcile: again })
    if (again) await this.keepUnresolved(config)
  }

  /**
   * An unresolved session outlives its next look (issue 26): its KV record is
   * written again to last past it (nextLook.ts), and it is listed for a person.
   */
  private async keepUnresolved(config: Config) {
    const state = this.state
    if (!state?.reconcile || state.deleted || !isUnresolved(state.record)) return
    const keep = keepUnresolvedUntil(state.record.expiresAt, state.reconcile.nextAt)
    if (keep !== undefined) {
      const longer: StoredSession = { ...state.record, expiresAt: keep }
      const { unwritten } = await this.written(async () => {
        await new SessionStore(this.env.SESSIONS, config).rewrite(longer, keep)
        return longer
      })
      await this.save({
        ...state,
        record: longer,
        ...(unwritten !== undefined ? { unwritten: { keepUntil: unwritten, attempt: 0, nextAt: nowSeconds() + 1 } } : {}),
      })
    }
    await this.indexUnresolved()
  }

  /** The index of unresolved sessions (storage/unresolved.ts) says what this session is: listed while unresolved, else not. */
  private async indexUnresolved() {
    const state = this.state
    if (!state) return
    const { record, reconcile: look } = state
    try {
      if (!state.deleted && isUnresolved(record) && record.kind) {
        const entry = {
          id: record.id,
          kind: record.kind,
          status: record.status,
          ...(record.reason ? { reason: record.reason } : {}),
          since: look?.from ?? record.createdAt,
          nextLookAt: look?.nextAt ?? 0,
          looks: look?.attempt ?? 0,
        }
        await indexUnresolved(this.env.SESSIONS, entry, record.expiresAt)
      } else await forgetUnresolved(this.env.SESSIONS, record.id)
    } catch (error) {
      // Written again at the next look; the session's own state is the authority.
      log('warn', 'unresolved_index_failed', { sessionId: record.id, error: error instanceof Error ? error.name : 'unknown' })
    }
  }

  /**
   * POST /unresolved-sessions/:id/settle: a person settles this session with
   * its Moneyhub record's id (held for it first) or as not made
   * (payments/settle.ts); the transition reports it (webhook, watchers).
   */
  async settle(by: Settlement): Promise<Outcome<{ session: Session }>> {
    return this.serially(() =>
      this.answer(async () => {
        const state = this.state
        if (!state || state.deleted) throw new ApiError('session_not_found', 'no session has this id (it may have expired)')
        const config = await this.config()
        const store = new SessionStore(this.env.SESSIONS, config)
        const { record, unwritten } = await this.written(() => settleUnresolved(this.env, store, state.record, by))
        await this.transition(record, config, { unwritten })
        return { session: publicSession(record) }
      }),
    )
  }

  /** Whether this session's callback was claimed (its code may have been sent): the refund ledger asks before releasing a hold. */
  async claimed(): Promise<boolean> {
    return this.state?.claimedAt !== undefined
  }

  /** Sessions connected before this object kept their state: only an id and an alarm. */
  private async legacyAlarm() {
    const id = await this.ctx.storage.get<string>('id')
    if (!id) return
    const config = await this.config()
    const store = new SessionStore(this.env.SESSIONS, config)
    const record = await store.get(id)
    if (record?.status === 'connected' && currentStatus(record) === 'expired') {
      const event = addToOutbox(this.ctx.storage, config, publicSession(await store.markExpired(record)))
      if (event) await attemptFromOutbox(this.env, config, this.ctx.storage, event)
    }
    if (outboxDueInS(this.ctx.storage)) return this.alarmIn(outboxDueInS(this.ctx.storage)) // its webhook not yet handed on
    await this.ctx.storage.deleteAll()
  }
}

/** The coordinator of one session. */
export const coordinatorOf = (env: Env, id: string) => env.SESSION_COORDINATOR.get(env.SESSION_COORDINATOR.idFromName(id))

/** The coordinator's answer, or its refusal thrown again (an ApiError) on the Worker's side of the RPC boundary. */
export function unwrap<O extends Outcome<object>>(outcome: O): Extract<O, { ok: true }> {
  if (!outcome.ok) throw new ApiError(outcome.code, outcome.message)
  return outcome as Extract<O, { ok: true }>
}
