/**
 * A VRP consent's pays (payments/recurring.ts), kept in its session's
 * Durable Object: this file owns their storage keys, `pay:<sha256(key)>` → a
 * PayEntry per Idempotency-Key, kept as long as the consent's record (even
 * past DELETE, see sessionCoordinator.ts `remove`); and the consent's work that
 * the coordinator runs one at a time: a pay, its revocation, the alarm's looks
 * for pays whose outcome is unknown (payments/recurringPayLooks.ts).
 */
import { ApiError } from '../../errors'
import { sha256 } from '../../util/encoding'
import {
  isUnresolvedPay,
  payUnderConsent,
  revokeConsent,
  type PayAnswer,
  type PayEntry,
  type PaymentUnderConsent,
  type PayRecords,
  type RecurringPayBody,
  type RecurringPaymentMade,
} from '../../payments/recurring'
import { reconcilePays } from '../../payments/recurringPayLooks'
import { settlePay as settled, type PaySettlement } from '../../payments/recurringPaySettle'
import { log } from '../../util/log'
import { paySettledEvent } from '../../session/webhook'
import { addEventToOutbox, type OutboxEntry } from '../../session/webhookOutbox'
import { SessionStore } from '../../storage/sessions'
import { nowSeconds, publicSession, type Session } from '../../storage/sessionRecord'
import type { UnresolvedPay } from '../../storage/unresolved'
import type { SessionHost } from './host'

const PAY_PREFIX = 'pay:'

/** The pay records in one consent's storage. */
export class ConsentPays implements PayRecords {
  constructor(private readonly storage: DurableObjectStorage) {}

  /** Whether a storage key is a pay's (kept past DELETE while the consent's record would be). */
  static owns(key: string): boolean {
    return key.startsWith(PAY_PREFIX)
  }

  async keyOf(idempotencyKey: string): Promise<string> {
    return PAY_PREFIX + (await sha256(idempotencyKey))
  }

  get(key: string): Promise<PayEntry | undefined> {
    return this.storage.get<PayEntry>(key)
  }

  put(key: string, entry: PayEntry): Promise<void> {
    return this.storage.put(key, entry)
  }

  async delete(key: string): Promise<void> {
    await this.storage.delete(key)
  }

  entries(): Promise<Map<string, PayEntry>> {
    return this.storage.list<PayEntry>({ prefix: PAY_PREFIX })
  }

  holderOf(sessionId: string, key: string): string {
    return `${sessionId}/${this.refOf(key)}`
  }

  refOf(key: string): string {
    return key.slice(PAY_PREFIX.length)
  }

  keyOfRef(ref: string): string {
    return PAY_PREFIX + ref
  }

  /**
   * The payments made (or confirming, or being sent) under the consent through this Worker, oldest first; and those a
   * person settled as not made (`not_made`, `settled`). Refusals, and pays reconciliation found not made, are not listed.
   */
  async list(): Promise<PaymentUnderConsent[]> {
    const entries = [...(await this.entries())]
    return entries
      .filter(([, entry]) => entry.state === 'sending' || (entry.answer && (entry.answer.httpStatus !== 422 || entry.settled)))
      .sort(([, a], [, b]) => a.createdAt - b.createdAt)
      .map(([key, entry]) => {
        // Sending: at Moneyhub now, or left so by a restart (the alarm answers it confirming).
        const answered = entry.answer?.body
        const body: Pick<RecurringPaymentMade, 'reason' | 'paymentId' | 'paymentSubmissionId'> & { status: PaymentUnderConsent['status'] } =
          answered === undefined ? { status: 'confirming', reason: 'sending' } : 'status' in answered ? answered : { status: 'not_made' }
        return {
          pay: this.refOf(key),
          status: body.status,
          ...('paymentId' in body && body.paymentId ? { paymentId: body.paymentId } : {}),
          ...('paymentSubmissionId' in body && body.paymentSubmissionId ? { paymentSubmissionId: body.paymentSubmissionId } : {}),
          amount: entry.request.amount,
          payeeRef: entry.request.payeeRef,
          payerRef: entry.request.payerRef,
          createdAt: Math.floor(entry.createdAt / 1000),
          ...(body.reason ? { reason: body.reason } : {}),
          ...(entry.final ? { moneyhubStatus: entry.final } : {}),
          ...(entry.settled ? { settled: entry.settled } : {}),
        }
      })
  }

  /** The pays whose outcome is unknown, oldest first, as GET /unresolved-sessions names them. */
  async unresolved(): Promise<UnresolvedPay[]> {
    return [...(await this.entries())]
      .filter(([, entry]) => isUnresolvedPay(entry))
      .sort(([, a], [, b]) => a.createdAt - b.createdAt)
      .map(([key, entry]) => {
        const body = entry.answer?.body
        const reason = body && 'status' in body ? body.reason : 'sending'
        return { pay: this.refOf(key), ...(reason ? { reason } : {}), since: Math.floor(entry.createdAt / 1000) }
      })
  }
}

/** POST /recurring-payments/:id/pay: the consent's alarm is set before the pay is sent, so a restart while it is at Moneyhub leaves it looked at. */
export async function pay(
  host: SessionHost,
  request: { idempotencyKey: string; body: RecurringPayBody },
): Promise<{ answer: PayAnswer; replayed: boolean }> {
  const record = host.state?.phase === 'deleted' ? undefined : host.state?.record
  const config = await host.config()
  const watched = async () => {
    const state = host.state
    if (state && !state.pays)
      await host.save({ ...state, pays: { attempt: 0, nextAt: nowSeconds() + config.reconciliationFirstDelaySeconds } })
  }
  const paid = await payUnderConsent(config, { env: host.env, pays: new ConsentPays(host.storage), record, sending: watched }, request)
  const body = paid.answer.body
  // Sent, outcome unknown: Moneyhub's records are asked from the alarm, as for a confirming session.
  if ('status' in body && body.status === 'confirming') await watched()
  return paid
}

/** DELETE /recurring-payments/:id: revoked at Moneyhub, then `revoked` here (webhook, watchers). */
export async function revoke(host: SessionHost): Promise<{ session: Session }> {
  const config = await host.config()
  const state = host.state
  // A consent revoked by DELETE /sessions/:id answers as revoked (it was revoked at Moneyhub first), not 404.
  const before = state?.phase === 'deleted' && state.record.status !== 'revoked' ? undefined : state?.record
  const record = await revokeConsent(config, new SessionStore(host.env.SESSIONS, config), before)
  if (record !== before) await host.transition(record, config)
  return { session: publicSession(record) }
}

/** A VRP consent's status as its object knows it (KV may lag), and the payments made under it through this Worker. */
export async function consentState(host: SessionHost): Promise<{ session?: Session; payments: PaymentUnderConsent[] }> {
  const state = host.state
  if (!state || state.phase === 'deleted') return { payments: [] }
  return { session: publicSession(state.record), payments: await new ConsentPays(host.storage).list() }
}

/** From the alarm: one look for each open pay under this consent; looks again while any is open. */
export async function lookForPays(host: SessionHost): Promise<void> {
  const config = await host.config()
  const { pays, ...rest } = host.state!
  const attempt = (pays?.attempt ?? 0) + 1
  const { nextInS } = await reconcilePays(
    config,
    {
      env: host.env,
      pays: new ConsentPays(host.storage),
      sessionId: rest.record.id,
      session: publicSession(rest.record),
      outbox: host.storage,
    },
    attempt,
  )
  await host.save(nextInS === undefined ? rest : { ...rest, pays: { attempt, nextAt: nowSeconds() + nextInS } })
}

/**
 * POST /unresolved-sessions/:id/settle with `pay`: a person settles one pay whose outcome was unknown
 * (payments/recurringPaySettle.ts). The pay's new answer and its webhook are written together; the caller makes the
 * first attempt (ctx.waitUntil).
 * A made pay is then followed to Moneyhub's final status of it from the alarm, as any made pay.
 */
export async function settlePay(host: SessionHost, by: PaySettlement): Promise<{ pay: PaymentUnderConsent; event?: OutboxEntry }> {
  const state = host.state
  if (!state || state.phase === 'deleted' || state.record.kind !== 'recurring_payment')
    throw new ApiError('recurring_payment_not_found', 'no recurring payment consent has this id (it may have expired)')
  const config = await host.config()
  const pays = new ConsentPays(host.storage)
  const { record } = state
  const { key, entry } = await settled(
    config,
    { env: host.env, pays, sessionId: record.id, ...(record.recurringPaymentId ? { recurringPaymentId: record.recurringPaymentId } : {}) },
    by,
  )
  const ref = pays.refOf(key)
  const paymentId = 'paymentId' in by ? by.paymentId : undefined
  const outcome = { pay: ref, payStatus: paymentId ? ('made' as const) : ('not_made' as const), ...(paymentId ? { paymentId } : {}) }
  // The event is written with the answer it reports (no await between them): committed together.
  const event = addEventToOutbox(host.storage, config, (order) => paySettledEvent(publicSession(record), outcome, order))
  await pays.put(key, entry)
  // Who settled which pay, how and when: the audit trail of a person's decision (the answer it keeps says the same).
  log('info', 'pay_settled', {
    sessionId: record.id,
    pay: ref,
    outcome: outcome.payStatus,
    by: 'backend',
    at: entry.settled?.at,
    ...(paymentId ? { paymentId } : {}),
  })
  // A made pay's payment is followed from the alarm (followPays).
  if (paymentId && !host.state?.pays) await host.save({ ...host.state!, pays: { attempt: 0, nextAt: nowSeconds() + 1 } })
  return { pay: (await pays.list()).find((listed) => listed.pay === ref)!, ...(event ? { event } : {}) }
}
