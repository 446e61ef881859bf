/**
 * Moneyhub's record of the id a person settles a session with (payments/settle.ts), read and checked with the rule
 * reconciliation settles it by (payments/reconciliation.ts `matches`: the user, the payer, the kind's `match` from
 * kinds/*.ts, the time window), so that a typo or another record (another amount, another payee, a refund for a
 * payment) never makes a session `authorised` with a record that is not its own (docs/reconciliation.md, "When a person
 * must look"). Free of HTTP.
 *
 *  - The record is the kind's: `GET {identity}<its list's path>/:id` (kinds/*.ts `list`: a payment's and a refund's
 *    /payments, a refund being a payment naming the one it reverses; a standing order's /standing-orders; a VRP
 *    consent's /recurring-payments).
 *  - Moneyhub has no such record (404): refused with the kind's not-found code (`notFound`); the field it differs on
 *    is the kind's to name (`difference`).
 *  - The record cannot be read (Moneyhub unreachable, an answer in another shape): the person's word stands, as
 *    before (a person's decision is never refused for what cannot be known), logged.
 *  - `matches` says `no`: 409 with a code naming the first field that differs. `near` is accepted: a record equal on
 *    every field it carries, whose time is just outside the window or whose payee cannot be read, is what reconciliation
 *    could not prove alone and what a person is asked to decide.
 */
import * as v from 'valibot'
import type { Config } from '../config'
import { ApiError } from '../errors'
import { fixedIn, payeeVerdict, type Item, type MatchContext, type PayeeDetails } from '../kinds/match'
import { paymentKindOf, type PaymentKindName } from '../kinds/registry'
import { IdentityApiError, identityRecord } from '../oidc/identity'
import { log } from '../util/log'
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

/** The kind's record of `moneyhubId` (`GET {identity}<list path>/:id`, `{data: T}` or a bare T), read now; undefined when it cannot be read. A 404 refuses. */
async function recordOf(config: Config, session: SettledSession, moneyhubId: string): Promise<Item | undefined> {
  const kind = paymentKindOf(session.kind)
  let data: unknown
  try {
    data = await identityRecord(config, { path: `${kind.list.path}/${encodeURIComponent(moneyhubId)}`, scope: kind.list.scope })
  } catch (error) {
    if (error instanceof IdentityApiError && error.status === 404)
      throw new ApiError(kind.notFound, `Moneyhub has no record with this id (${kind.settledBy})`)
    data = undefined
  }
  const parsed = v.safeParse(v.looseObject({ id: v.literal(moneyhubId) }), data)
  if (parsed.success) return parsed.output
  log('warn', 'settle_record_unreadable', { sessionId: session.id, kind: session.kind })
  return undefined
}

/** The first field the record differs on, named by its code; `matches` has already said `no`. */
function differenceOf(target: MatchTarget, item: Item, look: SettleLook, context: MatchContext): ApiError {
  const value = target.value
  const fixed = fixedIn(value)
  if (context.userId !== undefined && typeof item.userId === 'string' && item.userId !== context.userId)
    return new ApiError('record_user_mismatch', 'Moneyhub’s record was made for another user than the session')
  if (!['payerId', 'payerType', 'payerName', 'payerEmail'].every((key) => fixed(key, item[key])))
    return new ApiError('record_payer_mismatch', 'Moneyhub’s record names another payer than the session')
  const named = paymentKindOf(target.kind).difference?.(value, item, (of) => payeeVerdict(value, of, context) === 'no')
  if (named) return new ApiError(named.code, `${named.message} than the session`)
  const made = item.initiatedAt ?? item.createdAt
  const at = typeof made === 'string' ? Date.parse(made) / 1000 : Number.NaN
  if (!Number.isNaN(at) && (at < look.from - 2 * CLOCK_SKEW_S || at > look.until + 2 * CLOCK_SKEW_S))
    return new ApiError(
      'record_time_mismatch',
      'Moneyhub’s record was made outside the window of its code exchange: an earlier or later record',
    )
  // Another term of the kind's (a reference, a date, a frequency, a payee type): named as a whole.
  return new ApiError('record_terms_mismatch', 'Moneyhub’s record has other terms than the session')
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
  const target = look?.target ?? (session.reverses ? { kind: session.kind, value: { paymentId: session.reverses } } : undefined)
  // The user first: whatever else a record carries, one made for another user is never this session's.
  if (context.userId !== undefined && typeof item.userId === 'string' && item.userId !== context.userId)
    throw new ApiError('record_user_mismatch', 'Moneyhub’s record was made for another user than the session')
  // A record without the kind's terms (6.x's VRP consent): nothing of them to compare.
  if (!target || paymentKindOf(target.kind).withoutTerms?.(item)) return
  // Without its look window (never the case for an unresolved session), the time is not compared.
  const window: SettleLook = look ?? { from: Number.NEGATIVE_INFINITY, until: Number.POSITIVE_INFINITY }
  if ((await verdictOf(config, target, item, window, context)) === 'no') throw differenceOf(target, item, window, context)
}
