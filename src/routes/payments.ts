/**
 * Pay by bank (app backend): each payment flow is a session of another kind on
 * the one session machine (kinds/registry.ts, one file per kind). Starting
 * one answers like POST /sessions; the browser goes through the same
 * /sessions/:id/authorize and /callback; GET /payments/:id reads any payment
 * kind's session, with Moneyhub's record of the payment once authorised.
 *
 *   POST /payments                 → payment           (scope payment, claim mh:payment)
 *   POST /standing-orders          → standing_order    (standing_orders:create, mh:standing_order)
 *   POST /recurring-payments       → recurring_payment (recurring_payment:create, mh:recurring_payment)
 *   POST /payments/:id/reverse     → reverse_payment   (reverse_payment, mh:reverse_payment + mh:payment)
 *   GET  /payments/:id[?wait=N], GET /payments/:id/events
 */
import type { Context } from 'hono'
import { Hono } from 'hono/tiny'
import { describeRoute } from 'hono-openapi'
import * as v from 'valibot'
import { requireListedBank } from '../banks/listed'
import type { SessionKind } from '../kinds/kind'
import type { SessionFields } from '../session/start'
import { coordinatorOf } from '../objects/sessionCoordinator'
import { ApiError } from '../errors'
import { requireBackend } from '../http/auth'
import { limitBody, MAX_START_BODY_BYTES } from '../http/bodyLimit'
import type { AppEnv } from '../http/context'
import { note } from '../http/log'
import { errorAnswers, eventStreamAnswer, jsonAnswer, PaymentStartedSchema, PaymentStatusSchema } from '../http/openapi'
import { rateLimit } from '../http/rateLimit'
import { SessionIdParam } from '../http/schemas'
import { newSessionSecret, requireSessionSecret } from '../http/sessionSecret'
import { MAX_STREAM_S, statusAfterWait, statusEvents, statusGuards } from '../http/statusWatch'
import { checkedReturnTo } from '../util/urls'
import { requireJson, validate } from '../http/validation'
import { object } from '../util/valibot'
import { paymentKind } from '../kinds/payment'
import { recurringPaymentKind } from '../kinds/recurringPayment'
import { reversePaymentKind } from '../kinds/refund'
import { standingOrderKind } from '../kinds/standingOrder'
import { PaymentRequest, RecurringPaymentRequest, ReversePaymentBody, StandingOrderRequest } from '../payments/schemas'
import { startPayment } from '../payments/start'
import { ledgerOf } from '../objects/refundLedger'
import { heldOrRefused, paymentIdOf, reversiblePayment } from '../payments/refunds'
import { paymentStatusOf, withMoneyhubRecord } from '../payments/status'
import { IDEMPOTENCY_KEY, IdempotencyStore } from '../storage/idempotency'
import { nowSeconds, publicSession, type Session } from '../storage/sessionRecord'

const IDEMPOTENCY_HEADER = 'idempotency-key'
/** A refund's :id: this Worker's payment session (22 characters), or Moneyhub's payment id. */
const PaymentRefParam = object({
  id: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a payment session id or a Moneyhub payment id')),
})
const idempotencyParameter = {
  name: 'Idempotency-Key',
  in: 'header' as const,
  required: false,
  description:
    'Any 1 to 255 printable ASCII characters (a UUID): a retried POST with the same key and body answers the same session for 24 hours, and never makes a second payment; the same key with another body is 422 idempotency_key_reused.',
  schema: { type: 'string' as const, pattern: '^[\\x21-\\x7e]{1,255}$' },
}

/** The session the :id names, as its status route reads it (a final record may come from the isolate's short cache). */
async function sessionOf(c: Context<AppEnv>, id: string): Promise<Session | undefined> {
  const record = await c.get('store').getForStatus(id)
  return record ? publicSession(record) : undefined
}

/** Starts `kind` with a validated request: the one path every payment start takes. */
async function start<R extends { returnTo?: string }>(
  c: Context<AppEnv>,
  route: string,
  kind: SessionKind<R, unknown>,
  request: R | ((id: string) => Promise<R>),
  body: unknown,
) {
  const config = c.get('config')
  const key = c.req.header(IDEMPOTENCY_HEADER)
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key))
    throw new ApiError('invalid_request', 'Idempotency-Key must be 1 to 255 printable ASCII characters')
  // Before anything is held or made (a refund's ledger hold is made in `request`).
  await requireListedBank(config, (body as { bankId?: string }).bankId)
  const checked = (request: R): R => {
    const returnTo = checkedReturnTo(request.returnTo, config.allowedOrigins)
    return { ...request, ...(returnTo ? { returnTo } : {}) }
  }
  const started = await startPayment(
    config,
    c.get('store'),
    {
      idempotency: new IdempotencyStore(c.env.SESSIONS, config.encryptionKeys),
      makerOf: (id) => coordinatorOf(c.env, id),
    },
    {
      route,
      kind,
      request: typeof request === 'function' ? async (id: string) => checked(await request(id)) : checked(request),
      body,
      ...(key !== undefined ? { idempotencyKey: key } : {}),
      owner: await newSessionSecret(),
      urls: (id, sealedTicket) => {
        // The browser goes through this Worker first (on the callback's host, so the binding cookie reaches /callback).
        const authorizeUrl = new URL(`/sessions/${id}/authorize`, config.redirectUri)
        authorizeUrl.searchParams.set('ticket', sealedTicket)
        return { authorizeUrl: authorizeUrl.href, statusUrl: new URL(`/payments/${id}`, c.req.url).href }
      },
    },
  )
  if ('refused' in started) throw new ApiError(started.refused, 'this Idempotency-Key was used with another request body')
  note(c, started.created ? 'payment_session_created' : 'payment_session_replayed', 'info', {
    sessionId: started.answer.id,
    kind: kind.name,
  })
  // authorizeUrl is a bearer link until opened, and the secret a credential: neither may be cached.
  c.header('cache-control', 'no-store')
  if (!started.created) c.header('idempotent-replayed', 'true')
  return c.json(started.answer, 201)
}

const startAnswers = OPENAPI_BUILD
  ? {
      201: jsonAnswer(PaymentStartedSchema, 'the session; send the browser to authorizeUrl'),
      ...errorAnswers(400, 401, 413, 415, 422, 429),
    }
  : {}

/** The middleware every start runs, in order: who calls and how big the body is are settled before it is parsed. */
const startGuards = [rateLimit('START_LIMITER'), requireBackend, limitBody(MAX_START_BODY_BYTES), requireJson] as const

export const payments = new Hono<AppEnv>()
  .route('/', startRoute('payments', paymentKind, PaymentRequest, 'Start a single payment (scope payment, claim mh:payment)'))
  .post(
    '/:id/reverse',
    describeRoute(
      OPENAPI_BUILD
        ? {
            summary: 'Refund a reversible payment (scope reverse_payment, claims mh:reverse_payment and mh:payment)',
            description:
              ":id is this Worker's payment session (POST /payments) or Moneyhub's payment id. Moneyhub's record, read at once, says whether it is reversible (isReversible, else completed). The amount may be at most what remains (the payment's amount less refunds authorised or in flight), with one refund in flight at a time: 409 otherwise.",
            tags: ['payments'],
            security: [{ backendKey: [] }],
            parameters: [idempotencyParameter],
            responses: { ...startAnswers, ...errorAnswers(400, 401, 404, 409, 413, 415, 422, 429, 502) },
          }
        : {},
    ),
    ...startGuards,
    validate('param', PaymentRefParam),
    validate('json', ReversePaymentBody),
    async (c) => {
      const { id } = c.req.valid('param')
      const body = c.req.valid('json')
      const config = c.get('config')
      // Checked when a refund is to be made, not for a retry the KV fast path answers (Moneyhub's record may have moved on).
      const refund = async (sessionId: string) => {
        const payment = await reversiblePayment(config, await paymentIdOf(id, (id) => sessionOf(c, id)))
        // The refund session's hold lasts while its link can be used; its end settles it (objects/refundLedger.ts).
        const until = nowSeconds() + config.sessionTtlSeconds + 120
        const hold = { sessionId, paymentAmount: payment.amount, until, ...(body.amount ? { amount: body.amount } : {}) }
        // The claim names the amount held, so that a refund "of the rest" is exactly what the ledger counted.
        const amount = heldOrRefused(await ledgerOf(c.env, payment.id).hold(hold))
        return { ...body, amount, paymentId: payment.id }
      }
      // One Idempotency-Key per refunded payment: the same key on another payment's refund is another refund.
      return start(c, `payments/${id}/reverse`, reversePaymentKind, refund, body)
    },
  )
  .get(
    '/:id',
    describeRoute(
      OPENAPI_BUILD
        ? {
            summary: 'The status of a payment session, at once or long-polled (?wait=N)',
            description: 'App backend (bearer key), or the page the backend gave the session secret to (X-Session-Secret).',
            tags: ['payments'],
            responses: {
              200: jsonAnswer(PaymentStatusSchema, "the status, and Moneyhub's record once authorised"),
              ...errorAnswers(400, 403, 404, 429),
            },
          }
        : {},
    ),
    ...statusGuards,
    async (c) => {
      const { id } = c.req.valid('param')
      const wait = c.req.valid('query').wait ?? 0
      let session = await sessionOf(c, id)
      // Pending or confirming: the session's Durable Object answers the moment it changes (the sessions' status watch, reused).
      const open = paymentStatusOf(session).status
      if ((open === 'pending' || open === 'confirming') && wait > 0) session = await statusAfterWait(c, session!, wait)
      c.header('cache-control', 'no-store')
      return c.json(await withMoneyhubRecord(c.get('config'), paymentStatusOf(session)))
    },
  )
  .get(
    '/:id/events',
    describeRoute(
      OPENAPI_BUILD
        ? {
            summary: 'The status of a payment session as Server-Sent Events, until it is final',
            tags: ['payments'],
            responses: {
              200: eventStreamAnswer(
                'text/event-stream of `status` events (PaymentStatus JSON, without Moneyhub’s record: GET /payments/:id has it)',
              ),
              ...errorAnswers(400, 403, 404, 429),
            },
          }
        : {},
    ),
    rateLimit('STATUS_LIMITER'),
    validate('param', SessionIdParam),
    requireSessionSecret,
    async (c) => {
      const session = await sessionOf(c, c.req.valid('param').id)
      paymentStatusOf(session) // 404 unless a payment kind's session
      return statusEvents(c, session!, MAX_STREAM_S * 1000, paymentStatusOf)
    },
  )

/** A payment kind's start route: the same guards, answers and idempotency; only the schema and the kind differ. */
function startRoute<S extends v.GenericSchema<unknown, SessionFields>>(
  route: string,
  kind: SessionKind<v.InferOutput<S>, unknown>,
  schema: S,
  summary: string,
) {
  return new Hono<AppEnv>().post(
    '/',
    describeRoute(
      OPENAPI_BUILD
        ? {
            summary,
            description: `Its status is GET /payments/:id (kind ${kind.name}).`,
            tags: ['payments'],
            security: [{ backendKey: [] }],
            parameters: [idempotencyParameter],
            responses: startAnswers,
          }
        : {},
    ),
    ...startGuards,
    validate('json', schema),
    (c) => start(c, route, kind, c.req.valid('json') as v.InferOutput<S>, c.req.valid('json')),
  )
}

export const standingOrders = startRoute(
  'standing-orders',
  standingOrderKind,
  StandingOrderRequest,
  'Start a standing order (scope standing_orders:create, claim mh:standing_order)',
)

export const recurringPayments = startRoute(
  'recurring-payments',
  recurringPaymentKind,
  RecurringPaymentRequest,
  'Start a variable recurring payment consent (scope recurring_payment:create, claim mh:recurring_payment)',
)
