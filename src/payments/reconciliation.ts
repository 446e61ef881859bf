/**
 * Reconciliation: finding in Moneyhub's own records what a payment kind's code
 * exchange made when its answer never arrived (`confirming`) or its id_token
 * lacked the id (`authorised`, reason `id_pending`). The session's Durable
 * Object runs it from its alarm (coordinator.ts); the rule, its window and its
 * limits are in docs/reconciliation.md and SECURITY.md. Free of HTTP and storage.
 *
 * A record matches when every field the request fixed is equal (amount,
 * payee, references) and it was initiated inside the session's window: from
 * the claim of the callback (less CLOCK_SKEW_S) to the window's end. One match
 * is the answer; none is "not (yet) made"; more than one is ambiguous, and
 * nothing is guessed.
 */
import type { Config } from '../config'
import type { KindName } from '../connection/kind'
import type { ClaimsRequest } from '../oidc/authorizationRequest'
import { identityRequest } from '../oidc/identity'
import type { OutcomeIds } from '../storage/sessions'

/** What reconciliation looks for: the kind and the value of the claim its authorisation request carried. */
export interface MatchTarget {
  kind: Exclude<KindName, 'connection'>
  value: Record<string, unknown>
}

/** The claim that carries each kind's request (payments/kinds.ts). */
const CLAIM_OF: Record<MatchTarget['kind'], string> = {
  payment: 'mh:payment',
  standing_order: 'mh:standing_order',
  recurring_payment: 'mh:recurring_payment',
  reverse_payment: 'mh:reverse_payment',
}

/** What to look for, from the claims the authorisation request carried (the launch ticket's). */
export function targetOf(kind: MatchTarget['kind'], claims: ClaimsRequest): MatchTarget | undefined {
  const value = (claims.id_token as Record<string, { value?: unknown } | undefined>)[CLAIM_OF[kind]]?.value
  return typeof value === 'object' && value !== null ? { kind, value: value as Record<string, unknown> } : undefined
}

/**
 * The first look, then each next one after twice the delay, capped; the last
 * one at the window's end. Moneyhub's list shows a payment as soon as the code
 * exchange made it; the delays give a slow exchange time to finish.
 */
export const RECONCILIATION_FIRST_DELAY_S = 20
export const RECONCILIATION_MAX_DELAY_S = 300
/**
 * Default RECONCILIATION_WINDOW_SECONDS: an authorisation code lives 10
 * minutes (MONEYHUB-NOTES.md), so no exchange of it can make a payment later;
 * 5 more minutes for Moneyhub's list to show it.
 */
export const RECONCILIATION_WINDOW_S = 900
/** Clocks differ: a record initiated this much before the claim still counts. */
export const CLOCK_SKEW_S = 120
/** One page of a list, and at most this many pages read per look (bounded work per alarm). */
export const PAGE_SIZE = 100
export const MAX_PAGES = 20

/** The delay before look number `attempt` (0 = the first). */
export const reconciliationDelayS = (attempt: number, first = RECONCILIATION_FIRST_DELAY_S) =>
  Math.min(RECONCILIATION_MAX_DELAY_S, first * 2 ** attempt)

export type MatchResult = { found: OutcomeIds } | { none: true } | { ambiguous: number } | { unsupported: true }

type Item = Record<string, unknown>

/** Where each kind's objects are listed, with which scope, and which id it gives. */
const LISTS: Record<MatchTarget['kind'], { path: string; scope: string; id: keyof OutcomeIds }> = {
  // GET {identity}/payments (payment:read): MONEYHUB-NOTES.md, "Payments" / "Lists".
  payment: { path: '/payments', scope: 'payment:read', id: 'paymentId' },
  // GET {identity}/standing-orders (payment:read): the official client's src/requests/standing-orders.ts, getStandingOrders.
  standing_order: { path: '/standing-orders', scope: 'payment:read', id: 'standingOrderId' },
  // GET {identity}/recurring-payments (recurring_payment:read): the official client's src/requests/recurring-payments.ts.
  recurring_payment: { path: '/recurring-payments', scope: 'recurring_payment:read', id: 'recurringPaymentId' },
  // Assumption (project): a refund is a payment of Moneyhub's, listed with the others, naming the payment it reverses.
  reverse_payment: { path: '/payments', scope: 'payment:read', id: 'reversePaymentId' },
}

/** Equal where the request fixed it (absent in the request: anything). */
const same = (asked: unknown, listed: unknown) => asked === undefined || asked === listed
const termsOf = (item: Item, key: string) => (typeof item[key] === 'object' && item[key] !== null ? (item[key] as Item) : {})

/** Whether `item` is what `target` asked for, initiated within [from, to] (seconds). */
export function matches(target: MatchTarget, item: Item, from: number, to: number): boolean {
  const value = target.value
  const made = item.initiatedAt ?? item.createdAt
  const at = typeof made === 'string' ? Date.parse(made) / 1000 : Number.NaN
  if (!(at >= from - CLOCK_SKEW_S && at <= to)) return false
  if (!same(value.payeeId, item.payeeId)) return false
  if (target.kind === 'payment') {
    if (item.amount !== value.amount || item.payeeRef !== value.payeeRef || item.payerRef !== value.payerRef) return false
    // A payee given by id must be that payee; one given in full gets an id at Moneyhub that the request cannot know.
    if (value.payeeId !== undefined && item.payeeId !== value.payeeId) return false
    if (value.payeeType !== undefined && item.payeeType !== undefined && item.payeeType !== value.payeeType) return false
    return true
  }
  if (target.kind === 'standing_order') {
    const order = termsOf(item, 'standingOrder')
    return ['reference', 'firstPaymentAmount', 'firstPaymentDate', 'numberOfPayments', 'finalPaymentDate'].every((key) =>
      same(value[key], order[key]),
    )
  }
  if (target.kind === 'recurring_payment') {
    const consent = termsOf(item, 'recurringPayment')
    return ['reference', 'maximumIndividualAmount', 'validFromDate', 'validToDate'].every((key) => same(value[key], consent[key]))
  }
  // reverse_payment: the payment it reverses, and the amount when one was asked for.
  return item.reversesPaymentId === value.paymentId && same(value.amount, item.amount)
}

/** Looks for the target in Moneyhub's list of its kind, paging with limit/offset. */
export async function findMade(config: Config, target: MatchTarget, from: number, to: number): Promise<MatchResult> {
  const list = LISTS[target.kind]
  const found: Item[] = []
  for (let page = 0; page < MAX_PAGES; page++) {
    const data = await identityRequest(config, {
      path: list.path,
      scope: list.scope,
      query: { limit: PAGE_SIZE, offset: page * PAGE_SIZE },
    })
    const items = Array.isArray(data) ? (data as Item[]) : []
    for (const item of items) if (typeof item?.id === 'string' && matches(target, item, from, to)) found.push(item)
    if (items.length < PAGE_SIZE) break
  }
  if (found.length === 1) return { found: { [list.id]: found[0]!.id as string } }
  return found.length ? { ambiguous: found.length } : { none: true }
}
