/**
 * GET /unresolved-sessions, POST /unresolved-sessions/:id/settle (backend key):
 * the sessions whose outcome is unknown, for a person to look at, and settling
 * one (docs/reconciliation.md, "When a person must look"). The index is
 * storage/unresolved.ts; settling runs in the session's Durable Object
 * (objects/sessionCoordinator.ts `settle`, payments/settle.ts), which sends the webhook.
 */
import { Hono } from 'hono/tiny'
import { describeRoute } from 'hono-openapi'
import * as v from 'valibot'
import { PAYMENT_KIND_NAMES } from '../kinds/registry'
import { ApiError } from '../errors'
import { coordinatorOf, unwrap } from '../objects/sessionCoordinator'
import { requireBackend } from '../http/auth'
import type { AppEnv } from '../http/context'
import { note } from '../http/log'
import { errorAnswers, jsonAnswer, PaymentUnderConsentSchema, SessionSchema } from '../http/openapi'
import { SessionIdParam } from '../http/schemas'
import { requireJson, validate } from '../http/validation'
import { described, int, named, picklist, strictObject } from '../util/valibot'
import { wholeNumber } from '../payments/lists'
import { SettleBody, settlementOf } from '../payments/settle'
import { SESSION_STATUSES } from '../storage/sessionRecord'
import { listUnresolved } from '../storage/unresolved'

/** A page of the index: at most this many sessions. */
const MAX_PAGE = 1000

const ListQuery = strictObject({
  limit: v.optional(
    described(
      v.pipe(wholeNumber(), v.minValue(1, 'must be 1 or more'), v.maxValue(MAX_PAGE, `must be ${MAX_PAGE} or less`)),
      OPENAPI_BUILD && `How many sessions, 1 to ${MAX_PAGE} (default 100)`,
    ),
  ),
  cursor: v.optional(
    described(
      v.pipe(v.string(), v.regex(/^[A-Za-z0-9+/=_-]{1,1024}$/, 'must be the cursor a previous page gave')),
      OPENAPI_BUILD && 'The previous page’s cursor',
    ),
  ),
})

const UnresolvedListSchema = named(
  v.object({
    sessions: v.array(
      v.object({
        id: v.string(),
        kind: picklist(PAYMENT_KIND_NAMES),
        status: picklist(SESSION_STATUSES),
        reason: v.optional(v.string()),
        since: int(),
        nextLookAt: int(),
        looks: int(),
        pays: v.optional(v.array(v.object({ pay: v.string(), reason: v.optional(v.string()), since: int() }))),
        unresolvedPays: v.optional(int()),
      }),
    ),
    cursor: v.optional(v.string()),
  }),
  'UnresolvedSessions',
  'Sessions whose outcome is unknown: confirming (any reason), or authorised with reason id_pending, id_ambiguous or consent_unverified; and VRP consents with a pay whose outcome is unknown (pays: the oldest few, by the reference GET /recurring-payments/:id lists them with, and why; unresolvedPays: how many). since: when the outcome became unknown; nextLookAt: when Moneyhub’s records are asked again (seconds since the epoch). The list may lag a write by up to a minute (KV).',
)

export const unresolvedSessions = new Hono<AppEnv>()
  .get(
    '/',
    describeRoute(
      OPENAPI_BUILD
        ? {
            summary: 'The sessions whose outcome is unknown, for a person to look at (app backend only)',
            tags: ['backend'],
            security: [{ backendKey: [] }],
            responses: { 200: jsonAnswer(UnresolvedListSchema, 'one page; cursor for the next'), ...errorAnswers(400, 401) },
          }
        : {},
    ),
    requireBackend,
    validate('query', ListQuery),
    async (c) => {
      const { limit, cursor } = c.req.valid('query')
      c.header('cache-control', 'no-store')
      const page = await listUnresolved(c.env.SESSIONS, { limit: limit ?? 100, ...(cursor ? { cursor } : {}) }).catch((error) => {
        // KV refuses a cursor it did not give: the caller's mistake, not ours.
        if (cursor) throw new ApiError('cursor_invalid', 'the cursor is not one a previous page gave')
        throw error
      })
      return c.json(page)
    },
  )
  .post(
    '/:id/settle',
    describeRoute(
      OPENAPI_BUILD
        ? {
            summary:
              'Settle an unresolved session, or one VRP pay under it: with its Moneyhub record’s id, or as not made (app backend only)',
            description:
              'The id (the field of the session’s kind: paymentId for a payment or a refund, standingOrderId, recurringPaymentId) must be one no other session holds (409 moneyhub_id_held) and, when Moneyhub’s record of it can be read, that record must be this session’s by reconciliation’s rule (409 record_*_mismatch names the field; 404 when Moneyhub has no such record); then it is held for this session and the session is authorised with it (a record that cannot be read: the person’s word). notMade: true ends a confirming session failed (payment_not_made). With pay (a VRP consent’s pay whose outcome is unknown): paymentId, held for that pay and checked against Moneyhub’s record of it (409 record_*_mismatch names the field), makes it made; notMade makes it not made (the person’s word, kept with who and when); the answer is the pay as GET /recurring-payments/:id lists it. A webhook reports the new status.',
            tags: ['backend'],
            security: [{ backendKey: [] }],
            responses: {
              200: jsonAnswer(v.union([SessionSchema, PaymentUnderConsentSchema]), 'the session, or the pay, settled'),
              ...errorAnswers(400, 401, 404, 409, 415),
            },
          }
        : {},
    ),
    requireBackend,
    validate('param', SessionIdParam),
    requireJson,
    validate('json', SettleBody),
    async (c) => {
      const { id } = c.req.valid('param')
      const by = settlementOf(c.req.valid('json'))
      c.header('cache-control', 'no-store')
      if ('pay' in by) {
        const { pay } = unwrap(await coordinatorOf(c.env, id).settlePay(by))
        // The consent's object logs the decision with who and when (pay_settled); the request's line says which pay.
        note(c, 'pay_settled', 'info', {
          sessionId: id,
          outcome: pay.status,
          ...('paymentId' in by ? { moneyhubId: by.paymentId } : { notMade: true }),
        })
        return c.json(pay)
      }
      const { session } = unwrap(await coordinatorOf(c.env, id).settle(by))
      // Who settled what, with which record: the audit trail of a person's decision.
      note(c, 'session_settled', 'info', {
        sessionId: id,
        kind: session.kind,
        outcome: session.status,
        ...('moneyhubId' in by ? { moneyhubId: by.moneyhubId } : { notMade: true }),
      })
      c.header('cache-control', 'no-store')
      return c.json(session)
    },
  )
