/** GET /banks: Moneyhub's published bank list, from the edge, for a bank picker (CORS for ALLOWED_ORIGINS). */
import { Hono } from 'hono/tiny'
import { describeRoute } from 'hono-openapi'
import { BANK_LIST_TYPES } from '../banks/bankList'
import type { AppEnv } from '../http/context'
import { note } from '../http/log'
import { BankListSchema, errorAnswers, jsonAnswer } from '../http/openapi'
import { withHealthMarks } from '../health/marks'
import { validate } from '../http/validation'
import * as v from 'valibot'
import { picklist, strictObject } from '../util/valibot'
import { bankList } from '../storage/bankLists'

const BankListQuery = strictObject({ type: v.optional(picklist(BANK_LIST_TYPES)) })

/** RFC 9110 §13.1.2: If-None-Match uses the weak comparison. */
const matches = (header: string | undefined, etag: string) =>
  header !== undefined && (header.trim() === '*' || header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag))

export const banks = new Hono<AppEnv>().get(
  '/',
  describeRoute(
    OPENAPI_BUILD
      ? {
          summary: "Moneyhub's published bank list (?type=all|api|legacy|test|payments|beta), cached at the edge, with an ETag",
          description: 'type=payments lists the banks that take payments (a payment’s bank picker); beta the banks in beta.',
          tags: ['public'],
          responses: {
            200: {
              ...jsonAnswer(BankListSchema, 'the banks; X-Stale: true when the upstream failed and this is the last good copy'),
              headers: {
                etag: { schema: { type: 'string' as const } },
                'x-stale': { schema: { type: 'string' as const } },
                'x-dropped-entries': { schema: { type: 'string' as const } },
              },
            },
            304: { description: 'If-None-Match matched the ETag' },
            ...errorAnswers(400, 502),
          },
        }
      : {},
  ),
  validate('query', BankListQuery),
  async (c) => {
    const list = await bankList(c.get('config'), c.req.valid('query').type ?? 'all')
    const marked = await withHealthMarks(c.env, c.get('config'), list) // the body, ETag and max-age with health marks
    c.header('etag', marked.etag)
    c.header('cache-control', list.stale ? 'no-cache' : `public, max-age=${marked.freshFor}`)
    if (list.stale) {
      c.header('x-stale', 'true')
      note(c, 'bank_list_stale', 'warn', { fetchedAt: list.fetchedAt })
    }
    if (list.dropped) c.header('x-dropped-entries', String(list.dropped))
    if (matches(c.req.header('if-none-match'), marked.etag)) return c.body(null, 304)
    return c.body(marked.body, 200, { 'content-type': 'application/json' })
  },
)
