/**
 * Moneyhub's record of the id a person settles a session with (payments/settle.ts), read and checked with the rule
 * reconciliation settles it by (payments/reconciliation.ts `matches`: the user, the payer, the kind's `match` from
 * kinds/*.ts, the time window), so that a typo or another record (another amount, another payee, a refund for a
 * payment) never makes a session `authorised` with a record that is not its own (docs/reconciliation.md, "When a person
 * must look"). Free of HTTP.
 *
 *  - The record is the kind's: a payment's and a refund's `GET {identity}/payments/:id` (payments.ts readPayment; a
 *    refund is a payment naming the one it reverses), a standing order's `GET {identity}/standing-orders/:id`
 *    (as followStatus.ts reads it), a VRP consent's `GET {identity}/recurring-payments/:id` (recurringConsent.ts).
 *  - Moneyhub has no such record (404): refused with the kind's not-found code.
 *  - The record cannot be read (Moneyhub unreachable, an answer in another shape): the person's word stands, as
 *    before (a person's decision is never refused for what cannot be known), logged.
 *  - `matches` says `no`: 409 with a code naming the first field that differs. `near` is accepted: a record equal on
 *    every field it carries, whose time is just outside the window or whose payee cannot be read, is what reconciliation
 *    could not prove alone and what a person is asked to decide.
 */
import * as v from 'valibot'
import type { Config } from '../config'
import { ApiError, type ErrorCode } from '../errors'
import {
  fixedIn,
  isObject,
  payeeVerdict,
  penceOf,
  reversalOf,
  termsOf,
  type Item,
  type MatchContext,
  type PayeeDetails,
} from '../kinds/match'
import type { PaymentKindName } from '../kinds/registry'
import { IdentityApiError, identityRecord } from '../oidc/identity'
import { log } from '../util/log'
import { readPayment } from './payments'
import { readRecurringPayment } from './recurringConsent'
import { CLOCK_SKEW_S, matches, payeeOf, type MatchTarget } from './reconciliation'

/** What the session knows of what it asked for: its kind's claim value and its look window (coordinator/state.ts `Reconciliation`). */
export interface SettleLook {
  target?: MatchTarget
  from: number
  until: number
}

/** The session as the check needs it. */
export interface SettledSession {
  id: string
  kind: PaymentKindName
  userId?: string | undefined
  /** A refund's: the payment it reverses. */
  reverses?: string | undefined
}

/** Moneyhub's record of a standing order, `{ data: T }` or a bare T (followStatus.ts reads it the same way). */
async function readStandingOrder(config: Config, id: string): Promise<Item> {
  let data: unknown
  try {
    data = await identityRecord(config, { path: `/standing-orders/${encodeURIComponent(id)}`, scope: 'payment:read' })
  } catch (error) {
    if (error instanceof IdentityApiError && error.status === 404)
      throw new ApiError('standing_order_not_found', 'Moneyhub has no standing order with this id')
    throw error
  }
  const parsed = v.safeParse(v.looseObject({ id: v.literal(id) }), data)
  if (!parsed.success) throw new ApiError('upstream_invalid_response', 'Moneyhub answered the standing order in an unexpected shape')
  return parsed.output
}

const NOT_FOUND: readonly ErrorCode[] = ['payment_not_found', 'standing_order_not_found', 'recurring_payment_not_found']

/** The kind's record of `moneyhubId`, read now; undefined when it cannot be read. A 404 refuses. */
async function recordOf(config: Config, session: SettledSession, moneyhubId: string): Promise<Item | undefined> {
  try {
    if (session.kind === 'standing_order') return await readStandingOrder(config, moneyhubId)
    if (session.kind === 'recurring_payment') return (await readRecurringPayment(config, moneyhubId)) as Item
    return (await readPayment(config, moneyhubId, { fresh: true })) as Item
  } catch (error) {
    if (error instanceof ApiError && NOT_FOUND.includes(error.code)) throw error
    log('warn', 'settle_record_unreadable', {
      sessionId: session.id,
      kind: session.kind,
      error: error instanceof ApiError ? error.code : error instanceof Error ? error.name : 'unknown',
    })
    return undefined
  }
}

/** The first field the record differs on, named by its code; `matches` has already said `no`. */
function differenceOf(target: MatchTarget, item: Item, look: SettleLook, context: MatchContext): ApiError {
  const value = target.value
  const fixed = fixedIn(value)
  const differs = (code: ErrorCode, message: string) => new ApiError(code, `Moneyhub’s record ${message} than the session`)
  if (context.userId !== undefined && typeof item.userId === 'string' && item.userId !== context.userId)
    return differs('record_user_mismatch', 'was made for another user')
  if (!['payerId', 'payerType', 'payerName', 'payerEmail'].every((key) => fixed(key, item[key])))
    return differs('record_payer_mismatch', 'names another payer')
  const payee = (of: Item) => payeeVerdict(value, of, context) === 'no'
  switch (target.kind) {
    case 'payment':
      if (reversalOf(item) !== undefined)
        return new ApiError('record_kind_mismatch', 'Moneyhub’s record is a refund of a payment, not the session’s payment')
      if (penceOf(item.amount) !== value.amount) return differs('record_amount_mismatch', 'is for another amount')
      if (item.payeeRef !== value.payeeRef) return differs('record_payee_ref_mismatch', 'has another payeeRef')
      if (item.payerRef !== value.payerRef) return differs('record_payer_ref_mismatch', 'has another payerRef')
      if (payee(item)) return differs('record_payee_mismatch', 'pays another payee')
      break
    case 'reverse_payment':
      if (reversalOf(item) === undefined)
        return new ApiError('record_kind_mismatch', 'Moneyhub’s record is a payment, not a refund: it cannot settle the refund')
      if (reversalOf(item) !== value.paymentId) return differs('record_reversal_mismatch', 'refunds another payment')
      if (value.amount !== undefined && penceOf(item.amount) !== value.amount)
        return differs('record_amount_mismatch', 'is for another amount')
      break
    case 'standing_order': {
      const order = termsOf(item, 'standingOrder')
      const first = penceOf(order.firstPaymentAmount)
      if (first !== undefined && first !== value.firstPaymentAmount) return differs('record_amount_mismatch', 'is for another amount')
      if (payee({ ...order, ...item })) return differs('record_payee_mismatch', 'pays another payee')
      break
    }
    case 'recurring_payment': {
      const amount = penceOf(termsOf(item, 'recurringPayment').maximumIndividualAmount)
      if (amount !== value.maximumIndividualAmount) return differs('record_amount_mismatch', 'allows another amount')
      break
    }
  }
  const made = item.initiatedAt ?? item.createdAt
  const at = typeof made === 'string' ? Date.parse(made) / 1000 : Number.NaN
  if (!Number.isNaN(at) && (at < look.from - 2 * CLOCK_SKEW_S || at > look.until + 2 * CLOCK_SKEW_S))
    return differs('record_time_mismatch', 'was made outside the window of its code exchange: an earlier or later record')
  // Another term of the kind's (a reference, a date, a frequency, a payee type): named as a whole.
  return differs('record_terms_mismatch', 'has other terms')
}

/** The record's verdict, reading the payee records it names as reconciliation does (one that cannot be read: `near`). */
async function verdictOf(config: Config, target: MatchTarget, item: Item, look: SettleLook, context: MatchContext) {
  const payees = new Map<string, PayeeDetails | null>()
  for (;;) {
    const verdict = matches(target, item, look.from, look.until, { ...context, payees })
    if (typeof verdict !== 'object') return verdict
    if (payees.has(verdict.payee)) return 'near'
    try {
      payees.set(verdict.payee, await payeeOf(config, verdict.payee))
    } catch {
      return 'near'
    }
  }
}

/**
 * Refuses `moneyhubId` for the session when Moneyhub says there is no such record (404) or its record is another's
 * (409, a code naming the field). Returns when it agrees, or when it cannot be read (the person's word stands).
 */
export async function checkSettleRecord(
  config: Config,
  session: SettledSession,
  moneyhubId: string,
  look: SettleLook | undefined,
): Promise<void> {
  const item = await recordOf(config, session, moneyhubId)
  if (!item) return
  const context: MatchContext = session.userId ? { userId: session.userId } : {}
  // Its launch ticket could not be read (no target): what the session still knows is its user and, for a refund, the
  // payment it reverses.
  const target =
    look?.target ??
    (session.kind === 'reverse_payment' && session.reverses ? { kind: session.kind, value: { paymentId: session.reverses } } : undefined)
  if (!target) {
    if (context.userId !== undefined && typeof item.userId === 'string' && item.userId !== context.userId)
      throw new ApiError('record_user_mismatch', 'Moneyhub’s record was made for another user than the session')
    return
  }
  // A 6.x VRP consent's record carries no terms (recurringConsent.ts): nothing of them to compare.
  if (target.kind === 'recurring_payment' && !isObject(item.recurringPayment)) return
  // Without its look window (never the case for an unresolved session), the time is not compared.
  const window: SettleLook = look ?? { from: Number.NEGATIVE_INFINITY, until: Number.POSITIVE_INFINITY }
  if ((await verdictOf(config, target, item, window, context)) === 'no') throw differenceOf(target, item, window, context)
}
