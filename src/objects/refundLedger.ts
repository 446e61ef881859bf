/**
 * RefundLedger: one Durable Object per Moneyhub payment (keyed by its id), the
 * one authority for how much of it is refunded or being refunded. A refund
 * session holds its amount here before it is made (POST /payments/:id/reverse);
 * the hold becomes a refund when the session ends `authorised`, and is
 * released when it ends failed, expired or deleted before its callback was
 * claimed (sessionCoordinator.ts reports the end; a hold past its session's deadline
 * is settled from the session's record when the ledger is next asked, in case
 * that report was lost). A hold whose record is missing is kept: the money
 * may have moved (issue 26; a person settles such a session).
 *
 * The rule (issue 17): a refund may be at most what remains, the payment's
 * amount minus refunds authorised or in flight, and only one refund may be in
 * flight per payment. Refunds made elsewhere (not through this Worker) are not
 * known here: Moneyhub refuses those at its end.
 *
 * Its storage (docs/storage.md): one value, `ledger` → `{ refunds: { <refund
 * session id>: { amount (pence), state: held | authorised, until } } }`, kept
 * as long as the payment may be refunded.
 */
import { DurableObject } from 'cloudflare:workers'
import type { ErrorCode } from '../errors'
import { nowSeconds, type SessionStatus, type StoredSession } from '../storage/sessionRecord'

interface Entry {
  /** Pence. */
  amount: number
  state: 'held' | 'authorised'
  /** A hold: when its session's link has lapsed; after that it is settled from the session's record. */
  until: number
}

interface Ledger {
  refunds: Record<string, Entry>
}

export interface HoldRequest {
  /** The refund session. */
  sessionId: string
  /** The payment's amount (Moneyhub's record), pence. */
  paymentAmount: number
  /** The refund's amount; the whole remainder when absent. */
  amount?: number
  until: number
}

export type HoldOutcome =
  { ok: true; amount: number; remaining: number } | { ok: false; code: ErrorCode; message: string; remaining: number }

/**
 * What a session's status means for its hold: authorised converts it; failed, expired and deleted release it;
 * anything else (pending, or an outcome not yet known) keeps it: never release what may have been refunded.
 */
const settlement = (status: string): Entry['state'] | 'released' | undefined =>
  status === 'authorised' ? 'authorised' : status === 'failed' || status === 'expired' || status === 'deleted' ? 'released' : undefined

export class RefundLedger extends DurableObject<Env> {
  private ledger: Ledger = { refunds: {} }

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    void ctx.blockConcurrencyWhile(async () => {
      this.ledger = (await ctx.storage.get<Ledger>('ledger')) ?? { refunds: {} }
    })
  }

  private save(ledger: Ledger) {
    this.ledger = ledger
    // Not awaited: the output gate holds every answer until the write is durable, and nothing awaits between check and write.
    void this.ctx.storage.put('ledger', ledger)
  }

  private remaining(paymentAmount: number) {
    return paymentAmount - Object.values(this.ledger.refunds).reduce((sum, entry) => sum + entry.amount, 0)
  }

  /** Holds `amount` for a refund session, or says why not. The same session asking again gets its hold (a retried start). */
  async hold(request: HoldRequest): Promise<HoldOutcome> {
    await this.settleLapsed()
    // From here to the write, nothing awaits: two refunds asking at once cannot both hold.
    const own = this.ledger.refunds[request.sessionId]
    const remaining = this.remaining(request.paymentAmount)
    if (own) return { ok: true, amount: own.amount, remaining }
    const inFlight = Object.keys(this.ledger.refunds).find((id) => this.ledger.refunds[id]!.state === 'held')
    if (inFlight)
      return {
        ok: false,
        code: 'refund_in_flight',
        message: `another refund of this payment is in flight (session ${inFlight}); ${remaining} pence remain to refund`,
        remaining,
      }
    const amount = request.amount ?? remaining
    if (remaining <= 0)
      return { ok: false, code: 'refund_exceeds_remaining', message: 'this payment is already fully refunded', remaining: 0 }
    if (amount > remaining)
      return {
        ok: false,
        code: 'refund_exceeds_remaining',
        message: `the refund is ${amount} pence but only ${remaining} pence of this payment remain to refund`,
        remaining,
      }
    this.save({ refunds: { ...this.ledger.refunds, [request.sessionId]: { amount, state: 'held', until: request.until } } })
    return { ok: true, amount, remaining: remaining - amount }
  }

  /** A refund session ended: its hold becomes a refund (authorised) or is released. */
  async settle(sessionId: string, status: SessionStatus | 'deleted' | (string & {})): Promise<void> {
    const entry = this.ledger.refunds[sessionId]
    const outcome = settlement(status)
    if (!entry || entry.state !== 'held' || !outcome) return
    const { [sessionId]: _, ...others } = this.ledger.refunds
    this.save({ refunds: outcome === 'released' ? others : { ...others, [sessionId]: { ...entry, state: outcome } } })
  }

  /** Holds past their session's deadline whose end was not reported: settled from the session's KV record. */
  private async settleLapsed() {
    const now = nowSeconds()
    const lapsed = Object.entries(this.ledger.refunds).filter(([, entry]) => entry.state === 'held' && entry.until <= now)
    for (const [sessionId] of lapsed) {
      const record = await this.env.SESSIONS.get<StoredSession>(`session:${sessionId}`, 'json')
      // No record: it lapsed (an unknown outcome is kept until settled, so this is a lost report and may have moved
      // money): still held (issue 26). Pending past its deadline: released unless its callback was claimed (the code
      // may have been sent; its Durable Object settles it). Any other status speaks for itself.
      if (!record) continue
      if (
        record.status === 'pending' &&
        (await this.env.SESSION_COORDINATOR.get(this.env.SESSION_COORDINATOR.idFromName(sessionId)).claimed())
      )
        continue
      await this.settle(sessionId, record.status === 'pending' ? 'expired' : record.status)
    }
  }

  /** For tests and support: what this payment's ledger holds. */
  entries(): Record<string, Entry> {
    return this.ledger.refunds
  }
}

export const ledgerOf = (env: Env, paymentId: string) => env.REFUND_LEDGER.get(env.REFUND_LEDGER.idFromName(paymentId))

/** Reported by the refund session's Durable Object when it ends (sessionCoordinator.ts); a lost report is made up for by `until`. */
export async function settleRefund(env: Env, record: Pick<StoredSession, 'id' | 'reverses'>, status: SessionStatus | 'deleted') {
  if (!record.reverses) return
  await ledgerOf(env, record.reverses).settle(record.id, status)
}
