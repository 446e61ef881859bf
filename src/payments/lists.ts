/**
 * Moneyhub's lists on the identity server, read with a client-credentials
 * token, one page at a time (docs/lists.md). Each list is the official
 * client's call (`moneyhub/moneyhub-api-client`, src/requests/*.ts) with its path,
 * scope and search params (src/schema/*.ts, and its readme):
 *
 * | list                 | Moneyhub call          | scope                    | filters                                  |
 * |----------------------|------------------------|--------------------------|------------------------------------------|
 * | `payees`             | getPayees              | `payee:read`             | userId, hasUserId                        |
 * | `payments`           | getPayments            | `payment:read`           | userId, payeeId, startDate, endDate      |
 * | `standing-orders`    | getStandingOrders      | `payment:read`           | userId, payeeId, startDate, endDate      |
 * | `recurring-payments` | getRecurringPayments   | `recurring_payment:read` | userId, payeeId, startDate, endDate      |
 *
 * The answer keeps Moneyhub's `data` and `meta` and gives `links` as this
 * Worker's URLs: the same shape for every list.
 */
import * as v from 'valibot'
import type { Config } from '../config'
import { ApiError } from '../errors'
import { described, int, looseObject, picklist, refined, strictObject, url } from '../util/valibot'
import { identityAnswer } from '../oidc/identity'
import { upstreamFailure } from './errors'
import { MoneyhubPayment } from './payments'
import { StoredPayee } from './payees'
import { dateOrder, isoDate, payeeId, userId } from './schemas'

/** Moneyhub's identity docs ("GET /payees", "GET /payments"): limit defaults to 10, offset to 0. */
export const DEFAULT_LIMIT = 10
/** Assumption (project): Moneyhub states no maximum; a page of 1000 bounds what one answer holds. */
export const MAX_LIMIT = 1000

/** A query value is a string: read as a number, as zod's coerce did. */
export const wholeNumber = () =>
  v.pipe(v.unknown(), v.transform(Number), v.number('must be a whole number'), v.safeInteger('must be a whole number'))
const paging = {
  limit: v.optional(
    described(
      v.pipe(wholeNumber(), v.minValue(1, 'must be 1 or more'), v.maxValue(MAX_LIMIT, `must be ${MAX_LIMIT} or less`)),
      OPENAPI_BUILD && `How many items, 1 to ${MAX_LIMIT} (Moneyhub's default: ${DEFAULT_LIMIT})`,
    ),
  ),
  offset: v.optional(
    described(v.pipe(wholeNumber(), v.minValue(0, 'must be 0 or more')), OPENAPI_BUILD && 'How many items to skip (default 0)'),
  ),
}
const byUser = { userId: v.optional(userId) }
const byPayeeAndDate = {
  payeeId: v.optional(payeeId),
  startDate: v.optional(isoDate(OPENAPI_BUILD && 'Only items made on or after this date (ISO 8601)')),
  endDate: v.optional(isoDate(OPENAPI_BUILD && 'Only items made on or before this date (ISO 8601)')),
}
const datesInOrder = dateOrder<{ startDate?: string; endDate?: string }>('startDate', 'endDate', 'must not be before startDate')

/** Moneyhub's standing order records: an id; every other member passes through. */
const MoneyhubRecord = looseObject({ id: v.string() })
/**
 * Moneyhub's VRP consent records: 5.2.1's RecurringPaymentRequest has an id; 6.x's is a submission without one
 * (moneyhub/moneyhub-api-client, src/schema/payment.ts): every member passes through.
 */
const MoneyhubConsentRecord = looseObject({ id: v.optional(v.string()) })

export const LISTS = {
  payees: {
    path: '/payees',
    scope: 'payee:read',
    query: strictObject({
      ...paging,
      ...byUser,
      hasUserId: v.optional(described(picklist(['true', 'false']), OPENAPI_BUILD && 'Only payees with (true) or without (false) a userId')),
    }),
    item: StoredPayee,
  },
  payments: {
    path: '/payments',
    scope: 'payment:read',
    query: refined(strictObject({ ...paging, ...byUser, ...byPayeeAndDate }), datesInOrder),
    item: MoneyhubPayment,
  },
  'standing-orders': {
    path: '/standing-orders',
    scope: 'payment:read',
    query: refined(strictObject({ ...paging, ...byUser, ...byPayeeAndDate }), datesInOrder),
    item: MoneyhubRecord,
  },
  'recurring-payments': {
    path: '/recurring-payments',
    scope: 'recurring_payment:read',
    query: refined(strictObject({ ...paging, ...byUser, ...byPayeeAndDate }), datesInOrder),
    item: MoneyhubConsentRecord,
  },
} as const
export type ListName = keyof typeof LISTS
export type ListQuery<L extends ListName> = v.InferOutput<(typeof LISTS)[L]['query']>

export const ListLinks = strictObject({ self: url(), next: v.optional(url()), prev: v.optional(url()) })
/** Moneyhub's meta: limit and offset (its docs' example), total (how many match, when Moneyhub says); other members pass through. */
export const ListMeta = looseObject({ total: v.optional(int()), limit: v.optional(int()), offset: v.optional(int()) })
export const listPage = <T extends v.GenericSchema>(item: T) => strictObject({ data: v.array(item), links: ListLinks, meta: ListMeta })
export type ListPage = { data: unknown[]; links: v.InferOutput<typeof ListLinks>; meta: v.InferOutput<typeof ListMeta> }

/** Moneyhub's answer: `data` of the list's items; links and meta when it gives them. */
const upstreamPage = (item: v.GenericSchema) =>
  looseObject({
    data: v.array(item),
    links: v.optional(looseObject({ self: v.optional(v.string()), next: v.optional(v.string()), prev: v.optional(v.string()) })),
    meta: v.optional(ListMeta),
  })

/**
 * A link of Moneyhub's, as this Worker's: the same query (only the members the
 * list takes), on `here` (this Worker's URL of the list). Undefined when the link is not a URL.
 */
function rewritten(link: string | undefined, here: URL, names: readonly string[]): string | undefined {
  if (link === undefined || !URL.canParse(link)) return undefined
  const ours = new URL(here.pathname, here)
  for (const [name, value] of new URL(link).searchParams) if (names.includes(name)) ours.searchParams.append(name, value)
  return ours.href
}

/** Links made from the page in effect, for an answer of Moneyhub's that gave none: next only when meta.total says there are more. */
function madeLinks(here: URL, limit: number, offset: number, total: number | undefined) {
  const at = (o: number) => {
    const url = new URL(here)
    url.searchParams.set('limit', String(limit))
    url.searchParams.set('offset', String(o))
    return url.href
  }
  return {
    self: here.href,
    ...(total !== undefined && offset + limit < total ? { next: at(offset + limit) } : {}),
    ...(offset > 0 ? { prev: at(Math.max(0, offset - limit)) } : {}),
  }
}

/** One page of a Moneyhub list; `here` is this Worker's URL of the request (its links are made on it). */
export async function readList<L extends ListName>(config: Config, name: L, query: ListQuery<L>, here: string): Promise<ListPage> {
  const list = LISTS[name]
  let answer: unknown
  try {
    answer = await identityAnswer(config, { path: list.path, scope: list.scope, query: query as Record<string, string | number> })
  } catch (error) {
    upstreamFailure(error, `list the ${name.replace('-', ' ')}`)
  }
  const parsed = v.safeParse(upstreamPage(list.item), answer)
  if (!parsed.success) throw new ApiError('upstream_invalid_response', `Moneyhub answered the ${name} list in an unexpected shape`)
  const { data, links, meta = {} } = parsed.output
  const url = new URL(here)
  const names = Object.keys(list.query.entries)
  const limit = meta.limit ?? (query.limit as number | undefined) ?? DEFAULT_LIMIT
  const offset = meta.offset ?? (query.offset as number | undefined) ?? 0
  const [self, next, prev] = [links?.self, links?.next, links?.prev].map((link) => rewritten(link, url, names))
  const ours = links
    ? { self: self ?? url.href, ...(next ? { next } : {}), ...(prev ? { prev } : {}) }
    : madeLinks(url, limit, offset, meta.total)
  return { data, links: ours, meta }
}
