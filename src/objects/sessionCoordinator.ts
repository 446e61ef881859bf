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
 * These are the phases of its SessionState (coordinator/state.ts): `created`
 * (kept here when made by `create` for an Idempotency-Key, else KV only until
 * its launch), `launched`, `completing`, `settled` (every status right of
 * completing) and `deleted`.
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
 * `authorised` is a payment kind's success (kinds/registry.ts): final, no
 * token set. A session started with an Idempotency-Key is created here
 * (`create`, create-if-absent) rather than at its launch, so that this object
 * is the one authority for "this key already made a session".
 *
 * Its storage (docs/storage.md):
 *  - `session`: the SessionState (coordinator/state.ts, a union keyed by the
 *    phase of the diagram above): the record as last written to KV, the
 *    state's hash, the browser key's hash, the sealed launch ticket until the
 *    code is exchanged, the claim, and the work that remains for the alarm.
 *    Every write to a session's KV record after its creation is made here, in
 *    order, so no write overwrites a final status with another.
 *  - `webhook:sequence`, `webhook:event:<n>`: webhook events not yet handed on
 *    (connection/webhookOutbox.ts).
 *  - `pay:<sha256(Idempotency-Key)>`: a VRP consent's pays (coordinator/consentPays.ts).
 *  - `id`: sessions connected before this object kept their state (read by the alarm only).
 *
 * No network call runs inside the input gate (blockConcurrencyWhile holds only
 * the read of the state at start-up). Work that calls the identity server —
 * the code exchange, refresh, revocation — runs one at a time on a serial
 * queue (coordinator/serialQueue.ts), while the object keeps answering
 * launches, replays and status watchers. The claim of a callback is persisted before the code is sent, so a
 * restart can never lead to a second exchange; a concurrent callback awaits
 * the first one's promise and gets the same answer.
 *
 * Status watchers (GET /sessions/:id?wait, /events) are streams from here
 * (coordinator/statusStreams.ts): a change is pushed the moment it is made.
 *
 * Its parts (coordinator/) are plain classes and functions this object owns,
 * not other Durable Objects: state.ts (the state), create.ts, launch.ts,
 * exchange.ts, remove.ts (create-if-absent, opening the link, the code
 * exchange, DELETE), statusStreams.ts (with watcherFairness.ts),
 * reconcile.ts (decisions: payments/nextLook.ts),
 * consentPays.ts (a VRP consent's pays), alarmPlan.ts (when the alarm rings,
 * pure), alarmWork.ts, serialQueue.ts; host.ts is what they are given.
 */
import { DurableObject } from 'cloudflare:workers'
import { getConfig, type Config } from '../config'
import type { AuthorizationResponse } from '../session/complete'
import { ApiError } from '../errors'
import { refreshSession } from '../session/refresh'
import type { Deleted } from '../session/revoke'
import { addToOutbox, attemptFromOutbox, flushOutbox, outboxDueInS, outboxNextAt } from '../session/webhookOutbox'
import { settleRefund } from './refundLedger'
import { sameDigest, sha256 } from '../util/encoding'
import { countOutcome } from '../health/count'
import { log } from '../util/log'
import { followFor } from '../payments/followStatus'
import { isUnresolved } from '../payments/nextLook'
import { settleUnresolved, type Settlement } from '../payments/settle'
import type { PayAnswer, PaymentUnderConsent, RecurringPayBody } from '../payments/recurring'
import type { PaySettlement } from '../payments/recurringPaySettle'
import { SessionStore } from '../storage/sessions'
import { currentStatus, nowSeconds, publicSession, type Session, type StoredSession } from '../storage/sessionRecord'
import { alarmAtOf, forgetAtOf, hasWork } from './coordinator/alarmPlan'
import { followPayment, legacyAlarm, writeAgain } from './coordinator/alarmWork'
import { ConsentPays, consentState, lookForPays, pay, revoke, settlePay } from './coordinator/consentPays'
import { written, type SessionHost } from './coordinator/host'
import { Creation } from './coordinator/create'
import { exchangeCode, interrupted } from './coordinator/exchange'
import { launchSession } from './coordinator/launch'
import { listUnresolved, reconcile } from './coordinator/reconcile'
import { removeSession } from './coordinator/remove'
import { SerialQueue } from './coordinator/serialQueue'
import {
  answer,
  finalRefusal,
  isFinal,
  phaseOf,
  refusal,
  withPhase,
  type AnyState,
  type CreateRequest,
  type Outcome,
  type Reconciliation,
  type SessionState,
  type StartAnswer,
} from './coordinator/state'
import { StatusStreams, type WatchOptions } from './coordinator/statusStreams'

export type { CreateRequest, Outcome, Refusal, StartAnswer } from './coordinator/state'

export class SessionCoordinator extends DurableObject<Env> {
  /** What storage's `session` holds, read at start-up and kept in step with it (save). */
  private state: SessionState | undefined
  /** When the alarm is set for (seconds), as last set here: an unchanged time is not set again. */
  private alarmAt: number | undefined
  /** Create-if-absent for an Idempotency-Key, and the create writing its KV record now. */
  private readonly creation = new Creation()
  /** The callback's claim: a concurrent callback gets its answer. */
  private claim: Promise<Outcome<{ session: Session; returnTo?: string }>> | undefined
  /** An exchange is running in this instance (its claim is not stale). */
  private exchanging = false
  /** Work that may call the identity server, one at a time. */
  private readonly queue = new SerialQueue()
  private readonly streams = new StatusStreams()
  /** This object as its parts (coordinator/) see it. */
  private readonly host: SessionHost

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    const self = this
    // Read through, never copied: what the parts see is always this object's own (tests replace env to break KV).
    this.host = {
      get env() {
        return self.env
      },
      get storage() {
        return self.ctx.storage
      },
      get state() {
        return self.state
      },
      config: () => this.config(),
      save: (state) => this.save(state),
      alarmForgotten: () => void (this.alarmAt = undefined),
      forget: () => this.forget(),
      transition: (record, config, work) => this.transition(record, config, work),
    }
    // Storage only, no network: the state is in memory before the first call is delivered.
    void ctx.blockConcurrencyWhile(async () => {
      this.state = withPhase(await ctx.storage.get<SessionState>('session'))
    })
  }

  /** Its own settings (this.env), never its caller's: read once per isolate (getConfig), as every object there is given the same env. */
  private config(): Promise<Config> {
    return getConfig(this.env)
  }

  /** One at a time, without holding the input gate: the work may call the identity server. */
  private serially<T>(work: () => Promise<T>): Promise<T> {
    return this.queue.run(work)
  }

  /** Nothing of this session is kept here any more (storage and memory). */
  private async forget() {
    this.state = undefined
    this.alarmAt = undefined
    await this.ctx.storage.deleteAll()
  }

  /** The state and its alarm, written together (one coalesced write: nothing awaits between them). */
  private async save(state: SessionState) {
    this.state = state
    const put = this.ctx.storage.put('session', state)
    await Promise.all([put, this.scheduleAlarm()])
  }

  /** Opening the authorizeUrl (coordinator/launch.ts): the first browser binds the session; a final one answers with its outcome. */
  async launch(pending: StoredSession, state: string, sealedTicket: string, browserKey?: string): Promise<Outcome<{ browserKey: string }>> {
    return launchSession(this.host, () => this.claim, { pending, state, sealedTicket, browserKey })
  }

  /** Create-if-absent, for a session whose id is derived from an Idempotency-Key (coordinator/create.ts). */
  async create(request: CreateRequest): Promise<Outcome<{ created: boolean; answer: StartAnswer }>> {
    return this.creation.create(this.host, request)
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
    if (current.phase === 'deleted') return refusal('session_deleted', 'this connection was cancelled; start a new one from the app')
    if (isFinal(current.record)) return finalRefusal(current.record, 'state_used')
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

  private async exchange(response: AuthorizationResponse): Promise<Outcome<{ session: Session; returnTo?: string }>> {
    const config = await this.config()
    if (this.state!.claimedAt !== undefined) {
      // Claimed before a restart: the code may have been sent. A second exchange would make the server revoke the first's tokens.
      const record = await interrupted(this.host, config)
      return { ok: true, session: publicSession(record), ...(record.returnTo ? { returnTo: record.returnTo } : {}) }
    }
    this.exchanging = true
    try {
      return await exchangeCode(this.host, config, response)
    } finally {
      this.exchanging = false
    }
  }

  /** A new record, written to KV by the caller (or `unwritten`: its write failed): kept here, pushed to watchers, reported once when it is a new outcome. */
  private async transition(
    record: StoredSession,
    config: Config,
    work: { unwritten?: number | undefined; reconcile?: Reconciliation | undefined } = {},
  ) {
    const before = this.state?.record
    const { sealedTicket: _, unwritten: __, reconcile: ___, follow: following, ...rest }: AnyState = this.state ?? {}
    // An authorised payment's Moneyhub status is followed until it is final (issue 27): begun here, kept until then.
    const follow = record.moneyhubStatus ? undefined : (following ?? followFor(record, nowSeconds()))
    // A final state is remembered while its link could still be opened, so that opening it never starts anything again.
    const forgetAt = forgetAtOf(record, rest, config, nowSeconds())
    // One event per change: of status, or of what it says (confirming's reason, an id found later). In the outbox, committed with the save below.
    const changed = before?.status !== record.status || before?.reason !== record.reason || before?.moneyhubStatus !== record.moneyhubStatus
    const event = changed ? addToOutbox(this.ctx.storage, config, publicSession(record)) : undefined
    await this.save({
      ...rest,
      // The phase the new record puts it in: settled once it is no longer pending.
      phase: phaseOf({ ...rest, record }),
      record,
      ...(forgetAt !== undefined ? { forgetAt } : {}),
      ...(work.unwritten !== undefined ? { unwritten: { keepUntil: work.unwritten, attempt: 0, nextAt: nowSeconds() + 1 } } : {}),
      ...(work.reconcile ? { reconcile: work.reconcile } : {}),
      ...(follow ? { follow } : {}),
    } as SessionState)
    if (isUnresolved(record) || (before && isUnresolved(before))) await listUnresolved(this.host)
    const session = publicSession(record)
    this.streams.push(session)
    if (changed) {
      if (event) this.ctx.waitUntil(attemptFromOutbox(this.env, config, this.ctx.storage, event))
      if (record.reverses && before?.status !== record.status) this.ctx.waitUntil(settleRefund(this.env, record, record.status))
    }
    countOutcome(before?.status, record)
  }

  async refresh(id: string): Promise<Outcome<{ session: Session }>> {
    return this.serially(() =>
      answer(async () => {
        const config = await this.config()
        const store = new SessionStore(this.env.SESSIONS, config)
        if (this.state?.phase === 'deleted') throw new ApiError('session_not_found', 'no session has this id (it may have expired)')
        const { session, record } = await refreshSession(config, store, this.state?.record ?? (await store.get(id)))
        await this.transition(record, config)
        return { session }
      }),
    )
  }

  /** DELETE /sessions/:id (coordinator/remove.ts): its watchers are told it is gone. */
  async remove(id: string): Promise<Outcome<Deleted>> {
    return this.serially(() =>
      answer(async () => {
        const deleted = await removeSession(this.host, id)
        this.streams.gone(id)
        return deleted
      }),
    )
  }

  /** POST /recurring-payments/:id/pay (payments/recurring.ts): one at a time per consent, in order with its revocation. */
  async payUnderConsent(request: {
    idempotencyKey: string
    body: RecurringPayBody
  }): Promise<Outcome<{ answer: PayAnswer; replayed: boolean }>> {
    return this.serially(() =>
      answer(async () => {
        const paid = await pay(this.host, request)
        // An unknown outcome is shown to a person (GET /unresolved-sessions) until it is settled.
        const body = paid.answer.body
        if ('status' in body && body.status === 'confirming') await listUnresolved(this.host)
        return paid
      }),
    )
  }

  /**
   * POST /unresolved-sessions/:id/settle with `pay`: a person settles one pay under this consent whose outcome was
   * unknown (coordinator/consentPays.ts); its webhook follows, and the index of unresolved sessions is told.
   */
  async settlePay(by: PaySettlement): Promise<Outcome<{ pay: PaymentUnderConsent }>> {
    return this.serially(() =>
      answer(async () => {
        const { pay: settled, event } = await settlePay(this.host, by)
        await listUnresolved(this.host)
        if (event) this.ctx.waitUntil(this.config().then((config) => attemptFromOutbox(this.env, config, this.ctx.storage, event)))
        return { pay: settled }
      }),
    )
  }

  /** DELETE /recurring-payments/:id: revoked at Moneyhub, then `revoked` here (webhook, watchers). */
  async revokeConsent(): Promise<Outcome<{ session: Session }>> {
    return this.serially(() => answer(() => revoke(this.host)))
  }

  /** A VRP consent's status as this object knows it (KV may lag), and the payments made under it through this Worker. */
  async consentState(): Promise<{ session?: Session; payments: PaymentUnderConsent[] }> {
    return consentState(this.host)
  }

  /**
   * A stream of the session's status as Server-Sent Events
   * (coordinator/statusStreams.ts), told at once what this object knows.
   */
  async watch(initial: Session, options: WatchOptions): Promise<Outcome<{ stream: ReadableStream<Uint8Array>; watcher: string }>> {
    const state = this.state
    const known =
      state?.phase === 'deleted'
        ? { deleted: true as const }
        : { deleted: false as const, ...(state ? { session: publicSession(state.record) } : {}) }
    const opened = this.streams.open(initial, options, known)
    if ('refused' in opened) return refusal('too_many_watchers', opened.refused)
    return { ok: true, ...opened }
  }

  /** The Worker saw its client go: drop the stream now rather than at its next write. */
  unwatch(id: string): void {
    this.streams.close(id)
  }

  /** How many status streams are open here (what the tests watch to see this object go idle). */
  watching(): number {
    return this.streams.size
  }

  private async scheduleAlarm() {
    const state = this.state
    if (!state) return
    // Work that remains comes first: a KV write to retry, Moneyhub's records to ask, a claim to look at again (alarmPlan.ts).
    const at = alarmAtOf(state, outboxNextAt(this.ctx.storage), nowSeconds())
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
    if (!state) {
      const again = await legacyAlarm(this.host)
      return again === undefined ? undefined : this.alarmIn(again)
    }
    try {
      if (state.unwritten) await this.serially(() => writeAgain(this.host))
      if (state.phase !== 'deleted' && this.state?.record.status === 'pending' && this.state.claimedAt !== undefined) {
        if (this.exchanging) return this.alarmIn(10) // running here: its transition reschedules
        await this.serially(async () => {
          if (this.state?.record.status === 'pending' && this.state.claimedAt !== undefined && !this.exchanging)
            await interrupted(this.host, await this.config())
        })
      }
      if (this.state?.reconcile && this.state.phase !== 'deleted') await this.serially(() => reconcile(this.host))
      if (this.state?.pays && this.state.phase !== 'deleted')
        await this.serially(async () => {
          // Listed while any pay is unresolved: written again at each look (a failed write heals), removed after the last.
          const listed = (await new ConsentPays(this.ctx.storage).unresolved()).length > 0
          await lookForPays(this.host)
          if (listed) await listUnresolved(this.host)
        })
      if (this.state?.follow && this.state.phase !== 'deleted') await this.serially(() => followPayment(this.host))
      if (state.phase !== 'deleted' && this.state?.record.status === 'connected') {
        if (currentStatus(this.state.record) !== 'expired') return this.scheduleAlarm()
        await this.serially(async () => {
          const config = await this.config()
          if (this.state?.record.status !== 'connected' || currentStatus(this.state.record) !== 'expired') return
          const { record, unwritten } = await written(() => new SessionStore(this.env.SESSIONS, config).markExpired(this.state!.record))
          await this.transition(record, config, { unwritten })
        })
      }
    } catch (error) {
      log('error', 'session_alarm_failed', { error: error instanceof Error ? error.name : 'unknown' })
      return this.alarmIn(30)
    }
    const after = this.state
    if (hasWork(after)) return this.scheduleAlarm()
    if (after?.forgetAt !== undefined && after.forgetAt > nowSeconds()) return this.scheduleAlarm()
    if (outboxDueInS(this.ctx.storage)) return this.alarmIn(outboxDueInS(this.ctx.storage)) // forgotten once its webhooks are handed on
    await this.forget()
  }

  /**
   * POST /unresolved-sessions/:id/settle: a person settles this session with
   * its Moneyhub record's id (held for it first) or as not made
   * (payments/settle.ts); the transition reports it (webhook, watchers).
   */
  async settle(by: Settlement): Promise<Outcome<{ session: Session }>> {
    return this.serially(() =>
      answer(async () => {
        const state = this.state
        if (!state || state.phase === 'deleted') throw new ApiError('session_not_found', 'no session has this id (it may have expired)')
        const config = await this.config()
        const store = new SessionStore(this.env.SESSIONS, config)
        const { record, unwritten } = await written(() => settleUnresolved(this.env, config, store, state.record, by, state.reconcile))
        await this.transition(record, config, { unwritten })
        return { session: publicSession(record) }
      }),
    )
  }

  /** Whether this session's callback was claimed (its code may have been sent): the refund ledger asks before releasing a hold. */
  async claimed(): Promise<boolean> {
    return this.state?.claimedAt !== undefined
  }
}

/** The coordinator of one session. */
export const coordinatorOf = (env: Env, id: string) => env.SESSION_COORDINATOR.get(env.SESSION_COORDINATOR.idFromName(id))

/** The coordinator's answer, or its refusal thrown again (an ApiError) on the Worker's side of the RPC boundary. */
export function unwrap<O extends Outcome<object>>(outcome: O): Extract<O, { ok: true }> {
  if (!outcome.ok) throw new ApiError(outcome.code, outcome.message)
  return outcome as Extract<O, { ok: true }>
}
