/**
 * A VRP consent's pays whose outcome is unknown (payments/recurring.ts), looked
 * for from the consent's alarm in Moneyhub's payments of their payee: one is
 * settled only with a record of its own consent (or its own
 * paymentSubmissionId) that no other holder has (objects/moneyhubIdIndex.ts).
 * Nothing here guesses an outcome (docs/recurring-payments.md, "Reconciliation").
 */
import * as v from 'valibot'
import { ERRORS } from '../errors'
import type { Config } from '../config'
import { log } from '../util/log'
import { holderOfMoneyhubId, holdMoneyhubId } from '../objects/moneyhubIdIndex'
import { payEvent } from '../session/webhook'
import { addEventToOutbox, attemptFromOutbox } from '../session/webhookOutbox'
import { nowSeconds, type Session } from '../storage/sessionRecord'
import { FOLLOW_FIRST_DELAY_S, FOLLOW_FOR_S, lookAtPayment } from './followStatus'
import { MoneyhubPayment } from './payments'
import { penceOf, reversalOf, type Item } from '../kinds/match'
import { readList, reconciliationDelayS } from './reconciliation'
import { confirming, recordAnswer, type PayEntry, type PayRecords, type RecurringPaymentMade } from './recurring'

/** The consent a look is for: its pays, and (to report a pay's final status) its session and the storage of its outbox. */
interface ConsentLooks {
  env: Env
  pays: PayRecords
  sessionId: string
  session?: Session
  outbox?: DurableObjectStorage
}

/** Clocks differ (Moneyhub's and this Worker's): a record this much outside a pay's window is still looked at. */
export const PAY_CLOCK_SKEW_S = 600
/** At most this many pages of 100 are read per pay and look; a longer list is not read whole, and nothing is decided on it. */
const PAY_PAGE_SIZE = 100
const PAY_MAX_PAGES = 50
/** After the window, an unsettled pay is looked at again this often. */
const PAY_LATE_DELAY_S = 3600

/** What a pay's look found: its record; two or more of its own; only likenesses that cannot be proved its own; nothing. */
type PayLook = { found: Item } | { ambiguous: number } | { unproven: number } | { none: true } | { unread: true }

/**
 * Moneyhub's payments that could be this pay's: GET {identity}/payments of
 * the pay's payee (when known) from its window's start, read whole (every
 * page, de-duplicated by id). Then each record must agree on every field the
 * pay fixed: amount, payeeRef, payerRef, payee (when known), time inside the
 * window (skew allowed), its paymentSubmissionId when Moneyhub gave one, and
 * never name another consent. Proof that it is this consent's: it names this
 * consent (`recurringPaymentId`: neither client version declares it on Payment, so this is an Assumption (project)),
 * or carries this pay's paymentSubmissionId.
 * A record another holder has (objects/moneyhubIdIndex.ts) is not this pay's.
 */
async function lookForPay(config: Config, env: Env, entry: PayEntry, body: RecurringPaymentMade, holder: string): Promise<PayLook> {
  const from = Math.floor(entry.createdAt / 1000) - PAY_CLOCK_SKEW_S
  const until = Math.floor(entry.createdAt / 1000) + config.reconciliationWindowSeconds + PAY_CLOCK_SKEW_S
  const seen = new Map<string, Item>()
  const read = await readList(
    config,
    { path: '/payments', scope: 'payment:read' },
    {
      limit: String(PAY_PAGE_SIZE),
      offset: '0',
      ...(entry.payeeId ? { payeeId: entry.payeeId } : {}),
      startDate: new Date(from * 1000).toISOString(),
    },
    PAY_MAX_PAGES,
    (item) => void seen.set(item.id as string, item),
  )
  const whole = read !== 'unreadable' && !read.next
  const consentId = entry.recurringPaymentId ?? body.recurringPaymentId
  const proven: Item[] = []
  let likenesses = 0
  for (const item of seen.values()) {
    // A field the record does not carry (each is optional in the official client's Payment) neither refutes the pay
    // nor proves it: such a record is at most a likeness, never a reason to say the pay was not made.
    let partial = false
    const agrees = (field: unknown, fixed: unknown) => (field === undefined ? ((partial = true), true) : field === fixed)
    if (
      !agrees(item.amount === undefined ? undefined : penceOf(item.amount), entry.request.amount) ||
      !agrees(item.payeeRef, entry.request.payeeRef) ||
      !agrees(item.payerRef, entry.request.payerRef)
    )
      continue
    if (entry.payeeId && !agrees(item.payeeId, entry.payeeId)) continue
    if (body.paymentSubmissionId && item.paymentSubmissionId !== body.paymentSubmissionId) continue
    // A refund names the payment it reverses: never a pay.
    if (reversalOf(item) !== undefined) continue
    const named = item.recurringPaymentId
    if (named !== undefined && named !== consentId) continue
    const at = Date.parse(String(item.initiatedAt ?? item.submittedAt ?? item.createdAt))
    if (!Number.isNaN(at) && (at / 1000 < from || at / 1000 > until)) continue
    const held = await holderOfMoneyhubId(env, item.id as string)
    if (held && held.holder !== holder) continue
    const ours = named === consentId || (body.paymentSubmissionId !== undefined && item.paymentSubmissionId === body.paymentSubmissionId)
    if (ours && !partial && !Number.isNaN(at)) proven.push(item)
    else likenesses++
  }
  if (proven.length === 1) return { found: proven[0]! }
  if (proven.length > 1) return { ambiguous: proven.length }
  if (likenesses) return { unproven: likenesses }
  return whole ? { none: true } : { unread: true }
}

/**
 * From the consent's alarm: one look for each open pay. A pay left `sending`
 * by a restart is confirming first (interrupted). A confirming pay found is
 * `made` with its payment (held first); two of its own, or only likenesses,
 * stay confirming (`match_ambiguous`, `match_unproven`); nothing, with the
 * whole list read once its window has passed, `payment_not_made`. A pay
 * Moneyhub accepted (a 2xx) without a payment id is looked up the same way,
 * and is never `payment_not_made`. Returns when to look again, if ever.
 */
export async function reconcilePays(config: Config, consent: ConsentLooks, attempt: number): Promise<{ nextInS?: number }> {
  const { env, pays, sessionId } = consent
  let open = false
  let late = true
  for (const [key, entry] of await pays.entries()) {
    let current = entry
    if (current.state === 'sending') {
      // This object restarted while it was being sent (a look runs one at a time with pays): it may have been made.
      await recordAnswer(pays, key, confirming(current, 'interrupted'))
      current = (await pays.get(key))!
    }
    const body = current.answer?.body as RecurringPaymentMade | undefined
    if (!body || !('status' in body)) continue
    const lookUp = body.status === 'made' && !body.paymentId && !current.lookedUp && body.reason !== 'id_held_elsewhere'
    if (body.status !== 'confirming' && !lookUp) continue
    const until = Math.floor(current.createdAt / 1000) + config.reconciliationWindowSeconds
    const past = nowSeconds() > until
    if (!past) late = false
    const holder = pays.holderOf(sessionId, key)
    let look: PayLook
    try {
      look = await lookForPay(config, env, current, body, holder)
    } catch (error) {
      log('warn', 'reconciliation_unavailable', { sessionId, error: error instanceof Error ? error.name : 'unknown' })
      open = true
      continue
    }
    if ('found' in look) {
      const paymentId = look.found.id as string
      if (!(await holdMoneyhubId(env, 'recurring_pay', paymentId, holder)).ok) {
        open = true
        continue
      }
      const parsed = v.safeParse(MoneyhubPayment, look.found)
      const { reason: _, ...rest } = body
      await pays.put(key, {
        ...current,
        ...(lookUp ? { lookedUp: true as const } : {}),
        answer: { httpStatus: 201, body: { ...rest, status: 'made', paymentId, ...(parsed.success ? { payment: parsed.output } : {}) } },
      } satisfies PayEntry)
      log('info', 'reconciled', { sessionId, status: 'made' })
    } else if (lookUp) {
      // Moneyhub accepted it: only its payment id is unknown. Looked for until the window has passed, then kept without it.
      if (past && !('unread' in look)) {
        await pays.put(key, { ...current, lookedUp: true, answer: { httpStatus: 201, body: { ...body, reason: 'id_not_found' } } })
      } else open = true
    } else if ('none' in look && past) {
      await recordAnswer(pays, key, {
        httpStatus: ERRORS.payment_not_made,
        body: {
          error: 'payment_not_made',
          message: 'Moneyhub has no record of this payment after its window: it was not made; retry with a new Idempotency-Key',
        },
      })
      log('info', 'reconciled', { sessionId, status: 'not_made' })
    } else {
      const reason = 'ambiguous' in look ? 'match_ambiguous' : 'unproven' in look ? 'match_unproven' : undefined
      if (reason && body.reason !== reason) {
        log('warn', 'reconciliation_ambiguous', { sessionId, reason })
        await recordAnswer(pays, key, { httpStatus: 202, body: { ...body, reason } })
      }
      open = true
    }
  }
  const followAt = await followPays(config, consent)
  if (!open && followAt === undefined) return {}
  const reconcileIn = open ? (late ? PAY_LATE_DELAY_S : reconciliationDelayS(attempt, config.reconciliationFirstDelaySeconds)) : Infinity
  return { nextInS: Math.max(1, Math.min(reconcileIn, (followAt ?? Infinity) - nowSeconds())) }
}

/**
 * Issue 27 item 2: each made pay with its payment id, followed to Moneyhub's
 * final status of that payment as a single payment's is (followStatus.ts,
 * lookAtPayment: from the alarm, within 24 h of the pay). The final one is
 * kept on the pay (GET /recurring-payments/:id lists it as moneyhubStatus) and
 * a webhook names it (webhook.ts, payEvent), written to the outbox with it.
 * The pay stays `made` and the consent as it is, whatever the status: money
 * may have moved. Returns when the next look is due, if any.
 */
async function followPays(config: Config, consent: ConsentLooks): Promise<number | undefined> {
  const { env, pays, session, outbox } = consent
  let nextAt: number | undefined
  for (const [key, entry] of await pays.entries()) {
    const body = entry.answer?.body as RecurringPaymentMade | undefined
    if (entry.final || entry.unfollowed || !body || !('status' in body) || body.status !== 'made' || !body.paymentId) continue
    const made = Math.floor(entry.createdAt / 1000)
    const follow = entry.follow ?? {
      paymentId: body.paymentId,
      until: made + FOLLOW_FOR_S,
      attempt: 0,
      nextAt: made + FOLLOW_FIRST_DELAY_S,
    }
    const look = await lookAtPayment(config, follow, nowSeconds())
    if ('next' in look) {
      await pays.put(key, { ...entry, follow: look.next })
      nextAt = Math.min(nextAt ?? Infinity, look.next.nextAt)
      continue
    }
    const { follow: _, ...rest } = entry
    if ('done' in look) {
      log('info', 'payment_status_unfollowed', { sessionId: session?.id })
      await pays.put(key, { ...rest, unfollowed: true })
      continue
    }
    const paymentId = body.paymentId
    // The event is written with the status it reports (no await between them): committed together.
    const event =
      session && outbox
        ? addEventToOutbox(outbox, config, (order) => payEvent(session, { paymentId, moneyhubStatus: look.final }, order))
        : undefined
    await pays.put(key, { ...rest, final: look.final })
    if (event && outbox) await attemptFromOutbox(env, config, outbox, event)
  }
  return nextAt
}
