/**
 * GET /payees, /payments, /standing-orders, /recurring-payments (backend key):
 * Moneyhub's lists, one page at a time, each through the one list route below
 * (payments/lists.ts; the shape is in docs/lists.md).
 */
import { Hono } from 'hono/tiny'
import { describeRoute } from 'hono-openapi'
import { requireBackend } from '../http/auth'
import type { AppEnv } from '../http/context'
import { errorAnswers, jsonAnswer } from '../http/openapi'
import { validate } from '../http/validation'
import { named } from '../util/valibot'
import { LISTS, listPage, readList, type ListName, type ListQuery } from '../payments/lists'

const pageSchemas = {
  payees: ['PayeeList', 'A page of payees'],
  payments: ['PaymentList', "A page of Moneyhub's payments"],
  'standing-orders': ['StandingOrderList', "A page of Moneyhub's standing orders"],
  'recurring-payments': ['RecurringPaymentList', "A page of Moneyhub's recurring payment (VRP) consents"],
} as const

/** A list's page as the document names it (its items' schema is the list's own). */
function pageSchema(name: ListName) {
  const [id, description] = pageSchemas[name]
  return named(listPage(LISTS[name].item), id, `${description}: links are this Worker's URLs; meta.total counts every match`)
}

function listRoute<L extends ListName>(name: L, summary: string) {
  const list = LISTS[name]
  return new Hono<AppEnv>().get(
    '/',
    describeRoute(
      OPENAPI_BUILD
        ? {
            summary: `${summary} (client credentials, scope ${list.scope})`,
            description:
              'Paged as Moneyhub pages it: limit (Moneyhub’s default 10), offset; links.next and links.prev are this Worker’s URLs.',
            tags: ['payments'],
            security: [{ backendKey: [] }],
            responses: { 200: jsonAnswer(pageSchema(name), 'one page of the list'), ...errorAnswers(400, 401, 502) },
          }
        : {},
    ),
    requireBackend,
    validate('query', list.query),
    async (c) => {
      c.header('cache-control', 'no-store')
      return c.json(await readList(c.get('config'), name, c.req.valid('query') as ListQuery<L>, c.req.url))
    },
  )
}

export const payeeList = listRoute('payees', "List this client's payees at Moneyhub")
export const paymentList = listRoute('payments', "List this client's payments at Moneyhub")
export const standingOrderList = listRoute('standing-orders', "List this client's standing orders at Moneyhub")
export const recurringPaymentList = listRoute('recurring-payments', "List this client's recurring payment (VRP) consents at Moneyhub")
