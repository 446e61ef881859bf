/**
 * The answers' schemas and the helpers that describe each route for the
 * OpenAPI document (hono-openapi). Request schemas live beside their routes.
 * The document is generated at build time (npm run build:openapi, with
 * OPENAPI_OPTIONS below) into public/openapi.json, a static asset.
 */
import { resolver, type GenerateSpecOptions } from 'hono-openapi'
import * as z from 'zod/mini'
import { PAYMENT_KIND_NAMES } from '../connection/kind'
import { MoneyhubPayment } from '../payments/payments'
import { SESSION_STATUSES } from '../storage/sessions'
import { MoneyhubRecurringPayment } from '../payments/recurring'

/** What the document says besides the routes: hono-openapi's generateSpecs options. */
export const OPENAPI_OPTIONS: Partial<GenerateSpecOptions> = {
  // /.well-known/jwks.json looks like a file to hono-openapi; it is a route.
  excludeStaticFile: false,
  documentation: {
    info: {
      title: 'Moneyhub edge connect proxy',
      version: '1',
      description: 'Connect a bank account through Moneyhub Open Banking, at the edge.',
    },
    components: { securitySchemes: { backendKey: { type: 'http', scheme: 'bearer', description: 'BACKEND_API_KEY' } } },
  },
}

/** Names a schema in the document's components (zod's global registry feeds toJSONSchema). */
const named = <T extends z.ZodMiniType>(schema: T, id: string, description?: string): T => {
  z.globalRegistry.add(schema, { id, ...(description ? { description } : {}) })
  return schema
}

export const ErrorSchema = named(z.object({ error: z.string(), message: z.string() }), 'Error', 'error: a stable code; message: for humans')

export const SessionSchema = named(
  z.strictObject({
    id: z.string(),
    kind: z.optional(z.enum(PAYMENT_KIND_NAMES)),
    status: z.enum(SESSION_STATUSES),
    bankId: z.optional(z.string()),
    userId: z.optional(z.string()),
    connectionId: z.optional(z.string()),
    paymentId: z.optional(z.string()),
    standingOrderId: z.optional(z.string()),
    recurringPaymentId: z.optional(z.string()),
    reversePaymentId: z.optional(z.string()),
    scope: z.optional(z.string()),
    expiresAt: z.int(),
    refreshableUntil: z.optional(z.int()),
    error: z.optional(z.string()),
    errorDescription: z.optional(z.string()),
    reason: z.optional(z.string()),
  }),
  'Session',
  "A session's status; never a token. userId is the id_token's sub, connectionId its mh:con_id. kind (absent for a connection) names a payment kind, which ends authorised with the id it made. confirming (a payment kind, not final): its code was sent and the outcome is unknown; reason says why (e.g. upstream_timeout), and reconciliation ends it authorised or failed (payment_not_made). An authorised session without its id has reason id_pending, id_not_found or id_ambiguous (docs/reconciliation.md).",
)

export const StartedSchema = named(
  z.strictObject({
    id: z.string(),
    authorizeUrl: z.url(),
    statusUrl: z.url(),
    expiresAt: z.int(),
    secret: z.optional(z.string()),
  }),
  'StartedSession',
  'secret: only when a browser started the session; the status routes of that session need it (X-Session-Secret, or ?secret=)',
)

export const TokenSetSchema = named(
  z.strictObject({
    access_token: z.string(),
    id_token: z.string(),
    refresh_token: z.optional(z.string()),
    token_type: z.literal('Bearer'),
    scope: z.string(),
    expires_at: z.int(),
  }),
  'TokenSet',
)

export const DeletedSchema = named(
  z.strictObject({ id: z.string(), deleted: z.literal(true), revoked: z.literal(false), error: z.optional(z.string()) }),
  'DeletedWithoutRevocation',
)

export const JwksSchema = named(z.object({ keys: z.array(z.looseObject({ kty: z.string(), kid: z.string(), alg: z.string() })) }), 'JWKS')

export const HealthSchema = z.strictObject({ status: z.literal('ok') })

/** A JSON answer for describeRoute's `responses`. */
export const jsonAnswer = (schema: z.ZodMiniType, description: string) => ({
  description,
  content: { 'application/json': { schema: resolver(schema) } },
})

/** The error answers a route may give, each with the shared Error schema. */
export function errorAnswers(...statuses: number[]) {
  const descriptions: Record<number, string> = {
    400: 'invalid request',
    401: 'missing or wrong bearer key',
    403: 'not allowed for this caller',
    404: 'no such session',
    405: 'not available in this configuration',
    409: 'the session is not in a state that allows this',
    422: 'the Idempotency-Key was used with another body',
    410: 'the session has expired',
    413: 'the body is too large',
    415: 'the body is not JSON',
    429: 'rate limited',
    502: 'the identity server failed',
  }
  return Object.fromEntries(statuses.map((s) => [s, jsonAnswer(ErrorSchema, descriptions[s] ?? 'error')]))
}

/** A text/event-stream answer of `status` events. */
export const eventStreamAnswer = (description: string) => ({
  description,
  content: { 'text/event-stream': { schema: { type: 'string' as const } } },
})

export const redirectAnswer = (description: string) => ({ description, headers: { location: { schema: { type: 'string' as const } } } })

// Pay by bank: payment kinds' sessions.

export const PaymentStartedSchema = named(
  z.extend(StartedSchema, { secret: z.string() }),
  'StartedPayment',
  'Send the user to authorizeUrl. statusUrl is GET /payments/:id; hand secret to your page if it reads the status itself (X-Session-Secret, or ?secret= for EventSource).',
)

/** A session's fields that a payment's status shows (payments/status.ts), with the payment's own status words. */
const PAYMENT_SESSION_FIELDS = {
  id: true,
  bankId: true,
  userId: true,
  expiresAt: true,
  error: true,
  errorDescription: true,
  reason: true,
} as const
const OUTCOME_ID_FIELDS = { paymentId: true, standingOrderId: true, recurringPaymentId: true, reversePaymentId: true } as const

export const PaymentStatusSchema = named(
  z.extend(z.pick(SessionSchema, { ...PAYMENT_SESSION_FIELDS, ...OUTCOME_ID_FIELDS }), {
    kind: z.enum(PAYMENT_KIND_NAMES),
    status: z.enum(['pending', 'confirming', 'authorised', 'failed', 'expired', 'revoked']),
    payment: z.optional(MoneyhubPayment),
  }),
  'PaymentStatus',
  "A payment kind's session. confirming: the outcome is not known yet (reason says why); reconciliation ends it authorised or failed, never failed while money may have moved. payment: Moneyhub's own record of the payment (status inProgress, completed, rejected, …), once authorised, read with a payment:read client token and kept 3 s; left out when it cannot be read just now.",
)

// A VRP consent in use (routes/recurringPayments.ts).

export const RecurringPaymentMadeSchema = named(
  z.strictObject({
    id: z.string(),
    recurringPaymentId: z.string(),
    status: z.enum(['made', 'confirming']),
    paymentId: z.optional(z.string()),
    payment: z.optional(MoneyhubPayment),
    reason: z.optional(z.string()),
  }),
  'RecurringPaymentMade',
  "A payment under a VRP consent. made (201): Moneyhub made it; paymentId and payment, Moneyhub's record (its own status: inProgress, completed, …). confirming (202): sent, outcome not yet known (reason: upstream_timeout, upstream_5xx, …); money may have moved.",
)

export const PaymentUnderConsentSchema = named(
  z.strictObject({
    status: z.enum(['made', 'confirming']),
    paymentId: z.optional(z.string()),
    amount: z.int(),
    payeeRef: z.string(),
    payerRef: z.string(),
    createdAt: z.int(),
    reason: z.optional(z.string()),
  }),
  'PaymentUnderConsent',
  'A payment made under the consent through this Worker (refusals are not payments and are not listed).',
)

export const RecurringPaymentConsentSchema = named(
  z.extend(PaymentStatusSchema, {
    consent: z.optional(MoneyhubRecurringPayment),
    payments: z.array(PaymentUnderConsentSchema),
  }),
  'RecurringPaymentConsent',
  "A VRP consent: its session's status (revoked after DELETE), Moneyhub's record of it once authorised (left out when it cannot be read just now), and the payments made under it through this Worker, oldest first.",
)

// Reaching the data: registered users, data tokens, the bank list.

export const RegisteredUserSchema = named(
  z.looseObject({ userId: z.string(), clientUserId: z.optional(z.nullable(z.string())) }),
  'RegisteredUser',
  "Moneyhub's user, as its identity server answers it (further members passed on).",
)

export const DataTokenSchema = named(
  z.strictObject({ access_token: z.string(), token_type: z.literal('Bearer'), scope: z.string(), expires_at: z.int() }),
  'DataToken',
  'A client-credentials access token; scope is what the identity server granted.',
)

export const BankListSchema = named(
  z.array(
    z.strictObject({
      id: z.string(),
      name: z.string(),
      type: z.enum(['api', 'legacy', 'test']),
      bankRef: z.string(),
      iconUrl: z.string(),
      accountTypes: z.array(z.strictObject({ type: z.string(), beta: z.boolean() })),
      userTypes: z.array(z.string()),
      /** With at least HEALTH_MIN_ATTEMPTS outcomes in the bank's last hour (docs/bank-health.md). */
      health: z.optional(z.enum(['ok', 'degraded', 'failing'])),
    }),
  ),
  'BankList',
)
