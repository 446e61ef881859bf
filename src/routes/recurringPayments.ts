/**
 * A VRP consent in use (app backend): `:id` is the consent's session id, as
 * POST /recurring-payments answered it; the Worker maps it to Moneyhub's
 * recurring payment id (the session record's recurringPaymentId). The work is
 * done in the consent's Durable Object (payments/recurring.ts).
 *
 *   POST   /recurring-payments/:id/pay      pay under the consent (Idempotency-Key required)
 *   DELETE /recurring-payments/:id          revoke it
 *   GET    /recurring-payments/:id[?wait=N] its status, Moneyhub's record of it, the payments made under it
 *   GET    /recurring-payments/:id/events   its status as Server-Sent Events
 *   POST   /recurring-payments/:id/funds-confirmation  whether the payer can pay an amount under it (6.x's confirmFundsForRecurringPayment)
 */
import type { Context } from 'hono'
import { Hono } from 'hono/tiny'
import { describeRoute } from 'hono-openapi'
import { coordinatorOf, unwrap, type Outcome } from '../objects/sessionCoordinator'
import { ApiError } from '../errors'
import { requireBackend } from '../http/auth'
import { limitBody, MAX_START_BODY_BYTES } from '../http/bodyLimit'
import type { AppEnv } from '../http/context'
import { note } from '../http/log'
import {
  errorAnswers,
  eventStreamAnswer,
  jsonAnswer,
  RecurringPaymentConsentSchema,
  PaymentStatusSchema,
  RecurringPaymentMadeSchema,
  FundsConfirmationSchema,
} from '../http/openapi'
import { rateLimit } from '../http/rateLimit'
import { SessionIdParam } from '../http/schemas'
import { requireSessionSecret } from '../http/sessionSecret'
import { MAX_STREAM_S, statusAfterWait, statusEvents, statusGuards } from '../http/statusWatch'
import { requireJson, validate } from '../http/validation'
import { askAgainWhenLost, confirmFunds, FundsConfirmationBody, RecurringPayBody, type PayOutcome } from '../payments/recurring'
import { consentRecord, readRecurringPayment, usableConsent, type MoneyhubRecurringPayment } from '../payments/recurringConsent'
import { paymentStatusOf } from '../payments/status'
import { IDEMPOTENCY_KEY } from '../storage/idempotency'
import { publicSession, type Session } from '../storage/sessionRecord'

/** The consent's session from KV (the edge's copy): 404 unless a VRP consent. */
async function consentSession(c: Context<AppEnv>, id: string): Promise<Session> {
  const record = await c.get('store').getForStatus(id)
  return publicSession(consentRecord(record))
}

/** GET /recurring-payments/:id: the consent's status, Moneyhub's record of it once authorised, and the payments made under it. */
async function consentView(c: Context<AppEnv>, kv: Session) {
  // The consent's Durable Object is the authority for its status (a revocation is final there before KV shows it).
  const known = await coordinatorOf(c.env, kv.id).consentState()
  const view = paymentStatusOf(known.session ?? kv)
  let consent: MoneyhubRecurringPayment | undefined
  if (view.recurringPaymentId && (view.status === 'authorised' || view.status === 'revoked')) {
    // The status stands on its own: a failed read leaves Moneyhub's record out rather than failing it.
    consent = await readRecurringPayment(c.get('config'), view.recurringPaymentId).catch(() => undefined)
  }
  return { ...view, ...(consent ? { consent } : {}), payments: known.payments }
}

const IDEMPOTENCY_HEADER = 'idempotency-key'

export const recurringPaymentConsents = new Hono<AppEnv>()
  .post(
    '/:id/pay',
    describeRoute(
      OPENAPI_BUILD
        ? {
            summary: 'Pay under an authorised VRP consent (recurring_payment:create)',
            description:
              ':id is the consent (POST /recurring-payments). Checked first against the consent: authorised and not revoked, within validFromDate–validToDate, amount at most maximumIndividualAmount. 201: Moneyhub made the payment. 202 `confirming`: the request was sent and its outcome is not known (a timeout or a server error): money may have moved; a retry with the same key gets the same answer and sends nothing. 422 `recurring_payment_refused`: Moneyhub refused it (over a periodic limit, revoked, outside its dates), its reason in the message.',
            tags: ['payments'],
            security: [{ backendKey: [] }],
            parameters: [
              {
                name: 'Idempotency-Key',
                in: 'header',
                required: true,
                description:
                  'Required. 1 to 255 printable ASCII characters (a UUID): a retry with the same key and body gets the first answer and never pays twice; the same key with another body is 422 idempotency_key_reused.',
                schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
              },
            ],
            responses: {
              201: jsonAnswer(RecurringPaymentMadeSchema, "the payment Moneyhub made: paymentId and Moneyhub's record of it"),
              202: jsonAnswer(
                RecurringPaymentMadeSchema,
                'confirming: sent, outcome not yet known (reason says why); money may have moved',
              ),
              ...errorAnswers(400, 401, 404, 409, 410, 413, 415, 422, 429, 502),
            },
          }
        : {},
    ),
    rateLimit('START_LIMITER'),
    requireBackend,
    limitBody(MAX_START_BODY_BYTES),
    requireJson,
    validate('param', SessionIdParam),
    validate('json', RecurringPayBody),
    async (c) => {
      const key = c.req.header(IDEMPOTENCY_HEADER)
      if (key === undefined) throw new ApiError('idempotency_key_required', 'send an Idempotency-Key header: a payment is never made twice')
      if (!IDEMPOTENCY_KEY.test(key)) throw new ApiError('invalid_request', 'Idempotency-Key must be 1 to 255 printable ASCII characters')
      const { id } = c.req.valid('param')
      // The edge's copy settles what cannot be paid under at all; the consent's Durable Object decides the rest.
      const kv = await consentSession(c, id)
      if (kv.status !== 'revoked') usableConsent(kv)
      const pay = { idempotencyKey: key, body: c.req.valid('json') }
      const ask = async () =>
        // Moneyhub's record passes members through (unknown values), which the RPC types cannot see as serialisable: it is JSON.
        (await coordinatorOf(c.env, id).payUnderConsent(pay)) as unknown as Outcome<PayOutcome>
      const { outcome, recovered } = await askAgainWhenLost(ask, { id, recurringPaymentId: kv.recurringPaymentId ?? '' })
      const { answer, replayed } = unwrap(outcome)
      const status = 'status' in answer.body ? answer.body.status : answer.body.error
      note(c, replayed ? 'recurring_payment_replayed' : 'recurring_payment_answered', answer.httpStatus === 201 ? 'info' : 'warn', {
        sessionId: id,
        outcome: status,
      })
      c.header('cache-control', 'no-store')
      // After a recovery the caller sees this answer for the first time.
      if (replayed && !recovered) c.header('idempotent-replayed', 'true')
      return c.json(answer.body, answer.httpStatus)
    },
  )
  .post(
    '/:id/funds-confirmation',
    describeRoute(
      OPENAPI_BUILD
        ? {
            summary: 'Whether the payer can pay an amount under an authorised VRP consent (recurring_payment:funds_confirmation)',
            description:
              'Asks Moneyhub (the official client 6.x\'s confirmFundsForRecurringPayment). amount in pence; Moneyhub is sent pounds ("10.50"). Nothing is paid. 410 consent_revoked, 409 consent_not_authorised or consent_unverified before anything is sent.',
            tags: ['payments'],
            security: [{ backendKey: [] }],
            responses: {
              200: jsonAnswer(FundsConfirmationSchema, 'fundsAvailable, as Moneyhub says, for amount (pence) and currency'),
              ...errorAnswers(400, 401, 404, 409, 410, 413, 415, 429, 502),
            },
          }
        : {},
    ),
    rateLimit('START_LIMITER'),
    requireBackend,
    limitBody(MAX_START_BODY_BYTES),
    requireJson,
    validate('param', SessionIdParam),
    validate('json', FundsConfirmationBody),
    async (c) => {
      const { id } = c.req.valid('param')
      const kv = await consentSession(c, id)
      // The consent's Durable Object is the authority for its status (a revocation is final there before KV shows it).
      const known = (await coordinatorOf(c.env, id).consentState()).session ?? kv
      const confirmed = await confirmFunds(c.get('config'), known, c.req.valid('json'))
      note(c, 'recurring_payment_funds_confirmed', 'info', { sessionId: id, outcome: String(confirmed.fundsAvailable) })
      c.header('cache-control', 'no-store')
      return c.json(confirmed)
    },
  )
  .delete(
    '/:id',
    describeRoute(
      OPENAPI_BUILD
        ? {
            summary: 'Revoke a VRP consent at Moneyhub (recurring_payment:create)',
            description:
              'The session becomes revoked (final; the webhook reports it) and every later pay is refused with 410 consent_revoked. Revoking a revoked consent answers the same.',
            tags: ['payments'],
            security: [{ backendKey: [] }],
            responses: { 200: jsonAnswer(PaymentStatusSchema, 'the consent, revoked'), ...errorAnswers(400, 401, 404, 409, 502) },
          }
        : {},
    ),
    requireBackend,
    validate('param', SessionIdParam),
    async (c) => {
      const { id } = c.req.valid('param')
      const { session } = unwrap(await coordinatorOf(c.env, id).revokeConsent())
      note(c, 'recurring_payment_revoked', 'info', { sessionId: id })
      c.header('cache-control', 'no-store')
      return c.json(paymentStatusOf(session))
    },
  )
  .get(
    '/:id',
    describeRoute(
      OPENAPI_BUILD
        ? {
            summary: 'A VRP consent: its status (at once or long-polled, ?wait=N), Moneyhub’s record of it, and the payments made under it',
            description: 'App backend (bearer key), or the page the backend gave the session secret to (X-Session-Secret).',
            tags: ['payments'],
            responses: { 200: jsonAnswer(RecurringPaymentConsentSchema, 'the consent'), ...errorAnswers(400, 403, 404, 429) },
          }
        : {},
    ),
    ...statusGuards,
    async (c) => {
      const { id } = c.req.valid('param')
      const wait = c.req.valid('query').wait ?? 0
      let session = await consentSession(c, id)
      if (session.status === 'pending' && wait > 0) session = await statusAfterWait(c, session, wait)
      c.header('cache-control', 'no-store')
      return c.json(await consentView(c, session))
    },
  )
  .get(
    '/:id/events',
    describeRoute(
      OPENAPI_BUILD
        ? {
            summary: 'A VRP consent’s status as Server-Sent Events, until it is final',
            tags: ['payments'],
            responses: {
              200: eventStreamAnswer('text/event-stream of `status` events (PaymentStatus JSON; GET /recurring-payments/:id has the rest)'),
              ...errorAnswers(400, 403, 404, 429),
            },
          }
        : {},
    ),
    rateLimit('STATUS_LIMITER'),
    validate('param', SessionIdParam),
    requireSessionSecret,
    async (c) => statusEvents(c, await consentSession(c, c.req.valid('param').id), MAX_STREAM_S * 1000, paymentStatusOf),
  )
