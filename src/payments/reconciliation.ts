/**
 * Reconciliation: finding in Moneyhub's own records what a payment kind's code
 * exchange made when its answer never arrived (`confirming`) or its id_token
 * lacked the id (`authorised`, reason `id_pending`). The session's Durable
 * Object runs it from its alarm (objects/sessionCoordinator.ts); the rule ("The proof rule"),
 * its window and its limits are in docs/reconciliation.md and SECURITY.md.
 *
 * A record settles a session only on proof: it is the one record, in a list
 * read whole, that is equal on every field the session fixed and the record
 * carries; no record just outside the time window looks like it; no other
 * session that sent a code for the same terms could own it (lookAlikes.ts); and
 * its id is held for this session first (objects/moneyhubIdIndex.ts). Anything less
 * is `ambiguous`, never a guess; a list that could not be read whole is never
 * "none". A VRP consent is never linked by likeness at all (`unverified`).
 */
import type { Config } from '../config'
import { fixedIn, type Item, type MatchContext, type PayeeDetails, type Verdict } from '../kinds/match'
import { isObject } from '../util/loose'
import { paymentKindOf, type OutcomeIds, type PaymentKindName } from '../kinds/registry'
import type { ClaimsRequest } from '../oidc/authorizationRequest'
import { IdentityApiError, identityAnswer, identityRequest } from '../oidc/identity'

/** What reconciliation looks for: the kind and the value of the claim its authorisation request carried. */
export interface MatchTarget {
  kind: PaymentKindName
  value: Record<string, unknown>
}

/** What to look for, from the claims the authorisation request carried (the launch ticket's): its kind's claim's value. */
export function targetOf(kind: MatchTarget['kind'], claims: ClaimsRequest): MatchTarget | undefined {
  const value = (claims.id_token as Record<string, { value?: unknown } | undefined>)[paymentKindOf(kind).claim]?.value
  return typeof value === 'object' && value !== null ? { kind, value: value as Record<string, unknown> } : undefined
}

/**
 * The first look, then each next one after twice the delay, capped; the last
 * one at the window's end. Moneyhub's list shows a payment as soon as the code
 * exchange made it; the delays give a slow exchange time to finish.
 */
// The defaults of RECONCILIATION_FIRST_DELAY_SECONDS and RECONCILIATION_WINDOW_SECONDS live with the settings.
import { RECONCILIATION_FIRST_DELAY_S } from '../config'
export { RECONCILIATION_FIRST_DELAY_S, RECONCILIATION_WINDOW_S } from '../config'
export const RECONCILIATION_MAX_DELAY_S = 300
/**
 * Clocks differ, both ways: a record stamped up to this much before the claim
 * or after the window still counts. Twice as far out, a record equal on every
 * other field is a near miss: never "none", never a match (ambiguous).
 * Assumption (project): 10 minutes covers any skew seen between servers kept by NTP.
 */
export const CLOCK_SKEW_S = 600
/** One page of a list, and at most this many pages read per look (bounded work per alarm); a longer read resumes at the next look. */
export const PAGE_SIZE = 100
export const MAX_PAGES = 20

/** The delay before look number `attempt` (0 = the first). */
export const reconciliationDelayS = (attempt: number, first = RECONCILIATION_FIRST_DELAY_S) =>
  Math.min(RECONCILIATION_MAX_DELAY_S, first * 2 ** attempt)

/** Where a read of a list stopped (bounded work per look), and what it had found: the next look goes on from here. */
export interface ListCursor {
  /** The query of the next page (from `links.next`, or the next offset). */
  query: Record<string, string>
  pages: number
  /** Ids of the exact matches and of the near misses met so far (de-duplicated). */
  exact: string[]
  near: string[]
}

export type MatchResult =
  | { found: OutcomeIds }
  | { none: true }
  | { ambiguous: number }
  | { unsupported: true }
  /** The list could not be read whole in this look: the next look goes on (never "none"). */
  | { incomplete: true; cursor?: ListCursor }
  /** A VRP consent: never linked by likeness (docs/reconciliation.md, "The proof rule"). */
  | { unverified: true }

/** Where a kind's objects are listed, with which scope, and which id the record found settles (its kind's). */
export const listOf = (kind: MatchTarget['kind']): { path: string; scope: string; id: keyof OutcomeIds } => ({
  ...paymentKindOf(kind).list,
  id: paymentKindOf(kind).outcomeId,
})

/**
 * Whether `item` is what `target` asked for, made within [from, to] (seconds):
 * every field the request fixed and the record carries must be equal; the
 * fields that identify it (amounts, references, the payee, the payment a refund
 * reverses) must be carried. A record equal on all but its time, when that is
 * just outside the window, or one whose payee cannot be read, is `near`.
 * `payee` asks the caller to read that payee record and ask again.
 */
export function matches(
  target: MatchTarget,
  item: Item,
  from: number,
  to: number,
  context: MatchContext = {},
): Verdict | { payee: string } {
  const value = target.value
  const fixed = fixedIn(value)
  // The user: the list is filtered by it, and a record that names another is not this session's.
  if (context.userId !== undefined && typeof item.userId === 'string' && item.userId !== context.userId) return 'no'
  // Who pays, where the session fixed it and the record says.
  if (!['payerId', 'payerType', 'payerName', 'payerEmail'].every((key) => fixed(key, item[key]))) return 'no'
  // The kind's own fields: its amounts, references, payee, the payment a refund reverses (kinds/*.ts `match`).
  const verdict = paymentKindOf(target.kind).match(value, item, context)
  if (verdict === 'no') return 'no'
  const made = item.initiatedAt ?? item.createdAt
  const at = typeof made === 'string' ? Date.parse(made) / 1000 : Number.NaN
  if (Number.isNaN(at)) return 'near'
  if (at < from - 2 * CLOCK_SKEW_S || at > to + 2 * CLOCK_SKEW_S) return 'no'
  if (at < from - CLOCK_SKEW_S || at > to + CLOCK_SKEW_S) return 'near'
  return verdict
}

/** A page's query: the list's filters (the date window, widened both ways for skew; the user where known) and its paging. */
export function firstQuery(from: number, to: number, userId?: string): Record<string, string> {
  const iso = (s: number) => new Date(s * 1000).toISOString()
  return {
    limit: String(PAGE_SIZE),
    offset: '0',
    // The official client's PaymentSearchParams (src/schema/payment.ts): userId, payeeId, startDate, endDate. Its
    // StandingOrderSearchParams and RecurringPaymentSearchParams declare only userId: that those lists take the dates
    // too is an Assumption (project); one that ignores them is read whole all the same.
    startDate: iso(from - 2 * CLOCK_SKEW_S),
    endDate: iso(to + 2 * CLOCK_SKEW_S),
    ...(userId ? { userId } : {}),
  }
}

/**
 * The next page's query: from `links.next` (the official client's Links, src/request.ts) when the answer has
 * links, on this list only; otherwise the next offset while pages come back full. Undefined: the list was read whole.
 */
function nextQuery(config: Config, path: string, answer: Item | undefined, query: Record<string, string>, count: number) {
  const links = answer?.links
  if (isObject(links)) {
    if (typeof links.next !== 'string' || !links.next) return undefined
    const next = new URL(links.next, config.identityUrl + path)
    // Our client token goes only to our own list: a next link elsewhere is not followed (and the read is not whole).
    if (new URL(config.identityUrl).origin !== next.origin || !next.pathname.endsWith(path)) throw new ListUnreadable()
    return Object.fromEntries(next.searchParams)
  }
  if (count < Number(query.limit ?? PAGE_SIZE)) return undefined
  return { ...query, offset: String(Number(query.offset ?? 0) + count) }
}

/** A list page that cannot be read as one: the read is not whole (never "none"). */
class ListUnreadable extends Error {}

/**
 * Reads one of Moneyhub's lists from `query`, page by page (links.next, or the
 * next offset), at most `maxPages` pages, handing each record with an id to
 * `onItem`. `next`: where the read stopped when the pages ran out (undefined:
 * the list was read whole); `unreadable`: a page without a `data` list, or a
 * next link elsewhere (never "read whole"). Pages are `{ data, links?, meta? }`,
 * as the official client declares every list (ApiResponse, src/request.ts).
 */
export async function readList(
  config: Config,
  list: { path: string; scope: string },
  query: Record<string, string>,
  maxPages: number,
  onItem: (item: Item) => void | Promise<void>,
): Promise<{ next?: Record<string, string>; pages: number } | 'unreadable'> {
  let next: Record<string, string> | undefined = query
  let pages = 0
  try {
    for (; next && pages < maxPages; pages++) {
      const answer = await identityAnswer(config, { path: list.path, scope: list.scope, query: next })
      const data = answer?.data
      if (!Array.isArray(data)) return 'unreadable'
      for (const item of data as unknown[]) if (isObject(item) && typeof item.id === 'string') await onItem(item)
      next = nextQuery(config, list.path, answer, next, data.length)
    }
  } catch (error) {
    if (error instanceof ListUnreadable) return 'unreadable'
    throw error
  }
  return { ...(next ? { next } : {}), pages }
}

/**
 * Reads the target's list, from `cursor` or the first page, at most MAX_PAGES
 * pages: each record's verdict, de-duplicated by id. `whole` when the last page
 * was reached; otherwise the cursor to go on from at the next look.
 */
export async function readMatches(
  config: Config,
  target: MatchTarget,
  from: number,
  to: number,
  options: { userId?: string; cursor?: ListCursor } = {},
): Promise<{ whole: true; exact: string[]; near: string[] } | { whole: false; cursor?: ListCursor }> {
  const exact = new Set(options.cursor?.exact)
  const near = new Set(options.cursor?.near)
  const payees = new Map<string, PayeeDetails | null>()
  const read = await readList(
    config,
    paymentKindOf(target.kind).list,
    options.cursor?.query ?? firstQuery(from, to, options.userId),
    MAX_PAGES,
    async (item) => {
      let verdict = matches(target, item, from, to, { ...options, payees })
      if (typeof verdict === 'object') {
        payees.set(verdict.payee, await payeeOf(config, verdict.payee))
        verdict = matches(target, item, from, to, { ...options, payees }) as Verdict
      }
      if (verdict === 'exact') exact.add(item.id as string)
      else if (verdict === 'near') near.add(item.id as string)
    },
  )
  if (read === 'unreadable') return { whole: false }
  if (read.next)
    return {
      whole: false,
      cursor: { query: read.next, pages: (options.cursor?.pages ?? 0) + read.pages, exact: [...exact], near: [...near] },
    }
  return { whole: true, exact: [...exact], near: [...near] }
}

/** A payee record (GET {identity}/payees/:id, payee:read: the official client's src/requests/payees.ts, getPayee); null when there is none. */
export async function payeeOf(config: Config, id: string): Promise<PayeeDetails | null> {
  try {
    const data = await identityRequest(config, { path: `/payees/${encodeURIComponent(id)}`, scope: 'payee:read' })
    return isObject(data) ? (data as PayeeDetails) : null
  } catch (error) {
    if (error instanceof IdentityApiError && error.status === 404) return null
    throw error
  }
}
