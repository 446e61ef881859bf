/**
 * The answers' schemas and the helpers that describe each route for the
 * OpenAPI document (hono-openapi). Request schemas live beside their routes.
 * The document is generated at build time (npm run build:openapi, with
 * OPENAPI_OPTIONS below) into public/openapi.json, a static asset.
 */
import { resolver, type GenerateSpecOptions } from 'hono-openapi'
import * as v from 'valibot'
import { OUTCOME_IDS, PAYMENT_KIND_NAMES, type OutcomeField } from '../kinds/registry'
import { MoneyhubPayment } from '../payments/payments'
import { SESSION_STATUSES } from '../storage/sessionRecord'
import { MoneyhubRecurringPayment } from '../payments/recurringConsent'
import { int, literal, looseObject, named, picklist, strictObject, url } from '../util/valibot'

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
    components: {
      securitySchemes: {
        backendKey: { type: 'http', scheme: 'bearer', description: 'BACKEND_API_KEY' },
        healthKey: { type: 'http', scheme: 'bearer', description: 'HEALTH_API_KEY (read-only: GET /banks/health)' },
      },
    },
  },
}

export const ErrorSchema = named(v.object({ error: v.string(), message: v.string() }), 'Error', 'error: a stable code; message: for humans')

/** The ids the kinds' id_tokens give (kinds/*.ts `outcomeFields`), each optional: a session has its own kind's. */
const outcomeIdFields = Object.fromEntries(OUTCOME_IDS.map((field) => [field, v.optional(v.string())])) as {
  [F in OutcomeField]: v.OptionalSchema<v.StringSchema<undefined>, undefined>
}

const sessionFields = {
  id: v.string(),
  kind: v.optional(picklist(PAYMENT_KIND_NAMES)),
  status: picklist(SESSION_STATUSES),
  bankId: v.optional(v.string()),
  userId: v.optional(v.string()),
  connectionId: v.optional(v.string()),
  ...outcomeIdFields,
  scope: v.optional(v.string()),
  expiresAt: int(),
  refreshableUntil: v.optional(int()),
  error: v.optional(v.string()),
  errorDescription: v.optional(v.string()),
  reason: v.optional(v.string()),
  moneyhubStatus: v.optional(v.string()),
}

export const SessionSchema = named(
  strictObject(sessionFields),
  'Session',
  "A session's status; never a token. userId is the id_token's sub, connectionId its mh:con_id. kind (absent for a connection) names a payment kind, which ends authorised with the id it made. confirming (a payment kind, not final): its code was sent and the outcome is unknown; reason says why (e.g. upstream_timeout), and reconciliation ends it authorised or failed (payment_not_made). An authorised session without its id has reason id_pending, id_not_found or id_ambiguous (docs/reconciliation.md). moneyhubStatus (a single payment or a standing order, authorised): Moneyhub's final status of its record once read (a payment: completed, rejected, cancelled, abandoned, error:…; a standing order: InitiationCompleted, InitiationFailed, Cancelled); the status stays authorised (docs/payments.md).",
)

const startedFields = {
  id: v.string(),
  authorizeUrl: url(),
  statusUrl: url(),
  expiresAt: int(),
  secret: v.optional(v.string()),
}

export const StartedSchema = named(
  strictObject(startedFields),
  'StartedSession',
  'secret: only when a browser started the session; the status routes of that session need it (X-Session-Secret, or ?secret=)',
)

export const TokenSetSchema = named(
  strictObject({
    access_token: v.string(),
    id_token: v.string(),
    refresh_token: v.optional(v.string()),
    token_type: literal('Bearer'),
    scope: v.string(),
    expires_at: int(),
  }),
  'TokenSet',
)

export const DeletedSchema = named(
  strictObject({ id: v.string(), deleted: v.literal(true), revoked: v.literal(false), error: v.optional(v.string()) }),
  'DeletedWithoutRevocation',
)

export const JwksSchema = named(v.object({ keys: v.array(looseObject({ kty: v.string(), kid: v.string(), alg: v.string() })) }), 'JWKS')

export const HealthSchema = strictObject({ status: literal('ok') })

/** A JSON answer for describeRoute's `responses`. */
export const jsonAnswer = (schema: v.GenericSchema, description: string) => ({
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
  strictObject({ ...startedFields, secret: v.string() }),
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
  moneyhubStatus: true,
} as const
const OUTCOME_ID_FIELDS = Object.fromEntries(OUTCOME_IDS.map((field) => [field, true])) as { [F in OutcomeField]: true }
/** The members of `entries` that `keys` names, in its order (zod's pick). */
const pick = <E extends v.ObjectEntries, K extends { [key in keyof E]?: true }>(entries: E, keys: K) =>
  Object.fromEntries(Object.keys(keys).map((key) => [key, entries[key]])) as Pick<E, keyof K & keyof E>

const paymentStatusFields = {
  ...pick(sessionFields, { ...PAYMENT_SESSION_FIELDS, ...OUTCOME_ID_FIELDS }),
  kind: picklist(PAYMENT_KIND_NAMES),
  status: picklist(['pending', 'confirming', 'authorised', 'failed', 'expired', 'revoked']),
  payment: v.optional(MoneyhubPayment),
}

export const PaymentStatusSchema = named(
  strictObject(paymentStatusFields),
  'PaymentStatus',
  "A payment kind's session. confirming: the outcome is not known yet (reason says why); reconciliation ends it authorised or failed, never failed while money may have moved. payment: Moneyhub's own record of the payment (status inProgress, completed, rejected, …), once authorised, read with a payment:read client token and kept 3 s; left out when it cannot be read just now.",
)

// A VRP consent in use (routes/recurringPayments.ts).

export const RecurringPaymentMadeSchema = named(
  strictObject({
    id: v.string(),
    recurringPaymentId: v.string(),
    status: picklist(['made', 'confirming']),
    paymentId: v.optional(v.string()),
    paymentSubmissionId: v.optional(v.string()),
    moneyhubStatus: v.optional(v.string()),
    providerStatus: v.optional(v.string()),
    payment: v.optional(MoneyhubPayment),
    reason: v.optional(v.string()),
  }),
  'RecurringPaymentMade',
  "A payment under a VRP consent. made (201): Moneyhub accepted it (a 2xx); the ids its answer gave (paymentId: the official client 5.2.1's id; paymentSubmissionId: 6.x's), its statuses (moneyhubStatus, providerStatus), and payment, Moneyhub's record, once read. confirming (202): sent, outcome not yet known (reason: upstream_timeout, upstream_5xx, interrupted, match_ambiguous, …); money may have moved.",
)

export const FundsConfirmationSchema = named(
  strictObject({
    fundsAvailable: v.boolean(),
    fundsAvailableAt: v.optional(v.string()),
    amount: int(),
    currency: v.string(),
    recurringPaymentId: v.string(),
  }),
  'FundsConfirmation',
  "Moneyhub's funds confirmation under a VRP consent, as the official client 6.x declares FundsConfirmationResponse; amount in pence.",
)

export const PaymentUnderConsentSchema = named(
  strictObject({
    pay: v.string(),
    status: picklist(['made', 'confirming', 'not_made']),
    paymentId: v.optional(v.string()),
    paymentSubmissionId: v.optional(v.string()),
    amount: int(),
    payeeRef: v.string(),
    payerRef: v.string(),
    createdAt: int(),
    reason: v.optional(v.string()),
    moneyhubStatus: v.optional(v.string()),
    settled: v.optional(strictObject({ by: picklist(['backend']), at: int() })),
  }),
  'PaymentUnderConsent',
  "A payment made under the consent through this Worker (refusals are not payments and are not listed). pay: its reference (sha256 of its Idempotency-Key, base64url), how GET /unresolved-sessions names it and a person settles it. not_made: a person said Moneyhub has no record of it. settled: who settled its unknown outcome and when (ms since the epoch). moneyhubStatus: Moneyhub's final status of a made pay's payment, once followed (completed, rejected, cancelled, abandoned, error:…); status stays made.",
)

export const RecurringPaymentConsentSchema = named(
  strictObject({
    ...paymentStatusFields,
    consent: v.optional(MoneyhubRecurringPayment),
    payments: v.array(PaymentUnderConsentSchema),
  }),
  'RecurringPaymentConsent',
  "A VRP consent: its session's status (revoked after DELETE), Moneyhub's record of it once authorised (left out when it cannot be read just now), and the payments made under it through this Worker, oldest first.",
)

// Reaching the data: registered users, data tokens, the bank list.

export const RegisteredUserSchema = named(
  looseObject({ userId: v.string(), clientUserId: v.optional(v.nullable(v.string())) }),
  'RegisteredUser',
  "Moneyhub's user, as its identity server answers it (further members passed on).",
)

export const DataTokenSchema = named(
  strictObject({ access_token: v.string(), token_type: literal('Bearer'), scope: v.string(), expires_at: int() }),
  'DataToken',
  'A client-credentials access token; scope is what the identity server granted.',
)

export const BankListSchema = named(
  v.array(
    strictObject({
      id: v.string(),
      name: v.string(),
      /** api, legacy, test, zoopla, mouseprice, autotrader (WellKnownConnection.type), or another Moneyhub adds. */
      type: v.optional(v.string()),
      bankRef: v.optional(v.string()),
      iconUrl: v.optional(v.string()),
      /** Each account type's name (WellKnownConnection.accountTypes[].name), and whether it is in beta. */
      accountTypes: v.array(strictObject({ type: v.string(), beta: v.boolean() })),
      userTypes: v.array(v.string()),
      country: v.optional(v.string()),
      isBeta: v.boolean(),
      payments: v.array(v.string()),
      /** Moneyhub's own view of the provider: AVAILABLE, PARTIALLY_AVAILABLE, TEMPORARILY_UNAVAILABLE, PERMANENTLY_UNAVAILABLE. */
      status: v.optional(strictObject({ sync: v.optional(v.string()), auth: v.optional(v.string()) })),
      /**
       * With at least HEALTH_MIN_ATTEMPTS outcomes in the bank's last hour, or when Moneyhub's status.auth says the bank
       * is not fully available (docs/bank-health.md).
       */
      health: v.optional(picklist(['ok', 'degraded', 'failing'])),
    }),
  ),
  'BankList',
)
