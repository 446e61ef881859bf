/**
 * A VRP consent in use (a `recurring_payment` session, authorised): paying
 * under it, revoking it, and reading Moneyhub's record of it, with
 * client-credentials tokens on the identity base, as the official client's
 * src/requests/recurring-payments.ts calls them:
 *
 *   makeRecurringPayment    POST   {identity}/recurring-payments/:id/pay  recurring_payment:create  { payeeId?, amount, payeeRef, payerRef }
 *   revokeRecurringPayment  DELETE {identity}/recurring-payments/:id      recurring_payment:create
 *   getRecurringPayment     GET    {identity}/recurring-payments/:id      recurring_payment:read
 *
 * Pay and revoke run in the consent's session Durable Object (coordinator.ts),
 * one at a time: a revocation and the payments around it are seen in order,
 * and an Idempotency-Key is answered by one authority. Each pay is kept in that
 * object's storage under `pay:<sha256(key)>` (PayEntry) with the body's hash:
 *  - before the request is sent: `sending`;
 *  - after: the answer, given again to every retry with that key and body
 *    (another body: 422 idempotency_key_reused).
 * Refusals found before anything is sent (the consent's own terms) are not kept.
 * An outcome not known after the request was sent (timeout, 5xx, an answer that
 * cannot be read, or a restart while `sending`) is never `failed`: it is kept
 * `confirming` with its reason, answered 202, and never sent again.
 *
 * Reconciliation seam: `confirmingPayments` lists what is still confirming and
 * `settleConfirmingPayment` records what Moneyhub's records later show; the
 * session alarm's reconciliation (issue 17) is where they are meant to be
 * called from. Nothing here guesses an outcome.
 */
import * as v from 'valibot'
import type { Config } from '../config'
import { FlowError } from '../connection/errors'
import { sha256 } from '../encoding'
import { IdentityApiError, identityRequest } from '../oidc/identity'
import { looseObject, named, strictObject } from '../http/valibot'
import { UpstreamError } from '../oidc/errors'
import { canonicalJson } from '../storage/idempotency'
import type { SessionStore, StoredSession } from '../storage/sessions'
import { upstreamFailure } from './errors'
import { MoneyhubPayment } from './payments'
import { payeeId, pence, reference } from './schemas'

/**
 * How long an authorised VRP consent's session is kept (the mapping from its
 * session id to Moneyhub's id): 400 days. Assumption (project): Moneyhub's
 * consents have no documented longest life; one without validToDate outlives
 * this mapping and must be used through a new consent after it.
 */
export const RECURRING_PAYMENT_RETENTION_SECONDS = 400 * 86_400

/** POST /recurring-payments/:id/pay: the official client's makeRecurringPayment body; amount in pence. */
export const RecurringPayBody = named(
  strictObject({
    amount: pence(OPENAPI_BUILD && 'Amount in pence, an integer above 0, at most the consent’s maximumIndividualAmount'),
    payeeRef: reference(OPENAPI_BUILD && 'Reference the payee sees, 1 to 18 printable characters'),
    payerRef: reference(OPENAPI_BUILD && "Reference on the payer's statement, 1 to 18 printable characters"),
    payeeId: v.optional(payeeId),
  }),
  OPENAPI_BUILD && 'RecurringPayBody',
  OPENAPI_BUILD && 'A payment under an authorised VRP consent.',
)
export type RecurringPayBody = v.InferOutput<typeof RecurringPayBody>

/** Moneyhub's record of a VRP consent (the official client's RecurringPaymentRequest, src/schema/payment.ts); other members pass through. */
export const MoneyhubRecurringPayment = named(
  looseObject({
    id: v.string(),
    /** InProgress, AwaitingAuthorisation, Rejected, Authorised, Revoked or Expired. */
    status: v.optional(v.string()),
    createdAt: v.optional(v.string()),
    recurringPayment: v.optional(
      looseObject({
        validFromDate: v.optional(v.string()),
        validToDate: v.optional(v.string()),
        maximumIndividualAmount: v.optional(v.number()),
      }),
    ),
  }),
  OPENAPI_BUILD && 'MoneyhubRecurringPayment',
  OPENAPI_BUILD &&
    "Moneyhub's record of a VRP consent: status (InProgress, AwaitingAuthorisation, Rejected, Authorised, Revoked, Expired) and recurringPayment, its terms",
)
export type MoneyhubRecurringPayment = v.InferOutput<typeof MoneyhubRecurringPayment>

/** What a pay answers, and what a retry with the same key gets again. */
export interface RecurringPaymentMade {
  /** The consent's session id. */
  id: string
  recurringPaymentId: string
  /** `made`: Moneyhub made the payment (its progress is payment.status); `confirming`: sent, outcome not yet known. */
  status: 'made' | 'confirming'
  paymentId?: string
  payment?: MoneyhubPayment
  /** Confirming: why the outcome is not known. */
  reason?: string
}

/** A kept answer: its HTTP status and body (an error body for Moneyhub's refusal). */
export interface PayAnswer {
  httpStatus: 201 | 202 | 422
  body: RecurringPaymentMade | { error: string; message: string }
}

export interface PayEntry {
  bodyHash: string
  createdAt: number
  request: RecurringPayBody
  state: 'sending' | 'answered'
  answer?: PayAnswer
}

/** A payment under the consent, as GET /recurring-payments/:id lists it. */
export interface PaymentUnderConsent {
  status: 'made' | 'confirming'
  paymentId?: string
  amount: number
  payeeRef: string
  payerRef: string
  createdAt: number
  reason?: string
}

const PAY_PREFIX = 'pay:'

const notFound = () =>
  new FlowError('not_found', 'recurring_payment_not_found', 'no recurring payment consent has this id (it may have expired)')

/** The consent's record, when the session is a VRP consent; 404 otherwise. */
export function consentRecord(record: StoredSession | undefined): StoredSession {
  if (record?.kind !== 'recurring_payment') throw notFound()
  return record
}

/** Moneyhub's record of the consent, read now. */
export async function readRecurringPayment(config: Config, recurringPaymentId: string): Promise<MoneyhubRecurringPayment> {
  let data: unknown
  try {
    data = await identityRequest(config, {
      path: `/recurring-payments/${encodeURIComponent(recurringPaymentId)}`,
      scope: 'recurring_payment:read',
    })
  } catch (error) {
    if (error instanceof IdentityApiError && error.status === 404) {
      throw new FlowError('not_found', 'recurring_payment_not_found', 'Moneyhub has no recurring payment consent with this id')
    }
    upstreamFailure(error, 'read the recurring payment consent')
  }
  const parsed = v.safeParse(MoneyhubRecurringPayment, data)
  if (!parsed.success || parsed.output.id !== recurringPaymentId)
    throw new FlowError('upstream', 'upstream_invalid_response', 'Moneyhub answered the recurring payment consent in an unexpected shape')
  return parsed.output
}

/** A date-only validToDate covers that whole day (as the mock counts it). */
const endOf = (date: string) => (/^\d{4}-\d{2}-\d{2}$/.test(date) ? Date.parse(date) + 86_400_000 : Date.parse(date))

/** The consent's status here, then what Moneyhub's record of it says: nothing is sent that it already forbids. */
async function checkConsent(config: Config, record: StoredSession, amount: number): Promise<string> {
  if (record.status === 'revoked') throw new FlowError('gone', 'consent_revoked', 'this recurring payment consent was revoked')
  if (record.status !== 'authorised' || !record.recurringPaymentId)
    throw new FlowError('conflict', 'consent_not_authorised', `the recurring payment consent is ${record.status}, not authorised`)
  const consent = await readRecurringPayment(config, record.recurringPaymentId)
  // Revoked or expired at the bank (the user may end a VRP consent there): gone, as after DELETE.
  if (consent.status === 'Revoked' || consent.status === 'Expired')
    throw new FlowError(
      'gone',
      consent.status === 'Revoked' ? 'consent_revoked' : 'consent_expired',
      `Moneyhub says the recurring payment consent is ${consent.status}`,
    )
  if (consent.status !== undefined && consent.status !== 'Authorised')
    throw new FlowError('conflict', 'consent_not_authorised', `Moneyhub says the recurring payment consent is ${consent.status}`)
  const terms = consent.recurringPayment ?? {}
  const now = Date.now()
  if (terms.validFromDate && now < Date.parse(terms.validFromDate))
    throw new FlowError('conflict', 'consent_not_yet_valid', `the consent is valid from ${terms.validFromDate}`)
  if (terms.validToDate && now >= endOf(terms.validToDate))
    throw new FlowError('gone', 'consent_expired', `the consent was valid until ${terms.validToDate}`)
  if (terms.maximumIndividualAmount !== undefined && amount > terms.maximumIndividualAmount)
    throw new FlowError(
      'unprocessable',
      'amount_over_maximum',
      `the amount (${amount} pence) is more than the consent's maximumIndividualAmount (${terms.maximumIndividualAmount} pence)`,
    )
  return record.recurringPaymentId
}

/** What the consent's Durable Object gives a pay: its storage and its current record. */
export interface ConsentContext {
  storage: DurableObjectStorage
  record: StoredSession | undefined
}

/** The kept answer for this key and body, a 422 for another body, or undefined when the key is new. */
async function keptAnswer(storage: DurableObjectStorage, storageKey: string, bodyHash: string): Promise<PayAnswer | undefined> {
  const entry = await storage.get<PayEntry>(storageKey)
  if (!entry) return undefined
  if (entry.bodyHash !== bodyHash)
    throw new FlowError('unprocessable', 'idempotency_key_reused', 'this Idempotency-Key was used with another request body')
  if (entry.state === 'answered' && entry.answer) return entry.answer
  // Sending when this object stopped: the request may have reached Moneyhub. Never sent again.
  return recordAnswer(storage, storageKey, confirming(entry, 'interrupted'))
}

function confirming(entry: Pick<PayEntry, 'request'> & { id?: string; recurringPaymentId?: string }, reason: string): PayAnswer {
  return {
    httpStatus: 202,
    body: { id: entry.id ?? '', recurringPaymentId: entry.recurringPaymentId ?? '', status: 'confirming', reason },
  }
}

async function recordAnswer(storage: DurableObjectStorage, storageKey: string, answer: PayAnswer): Promise<PayAnswer> {
  const entry = await storage.get<PayEntry>(storageKey)
  if (entry) await storage.put(storageKey, { ...entry, state: 'answered', answer } satisfies PayEntry)
  return answer
}

/**
 * POST /recurring-payments/:id/pay, inside the consent's Durable Object.
 * Returns the answer and whether it is a replay; throws FlowError for what is
 * refused before anything is sent.
 */
export async function payUnderConsent(
  config: Config,
  consent: ConsentContext,
  pay: { idempotencyKey: string; body: RecurringPayBody },
): Promise<{ answer: PayAnswer; replayed: boolean }> {
  const record = consentRecord(consent.record)
  const storageKey = PAY_PREFIX + (await sha256(pay.idempotencyKey))
  const bodyHash = await sha256(canonicalJson(pay.body))
  const kept = await keptAnswer(consent.storage, storageKey, bodyHash)
  if (kept) return { answer: withIds(kept, record), replayed: true }

  const recurringPaymentId = await checkConsent(config, record, pay.body.amount)
  await consent.storage.put(storageKey, { bodyHash, createdAt: Date.now(), request: pay.body, state: 'sending' } satisfies PayEntry)
  const ids = { id: record.id, recurringPaymentId }
  let answer: PayAnswer
  try {
    const data = await identityRequest(config, {
      method: 'POST',
      path: `/recurring-payments/${encodeURIComponent(recurringPaymentId)}/pay`,
      scope: 'recurring_payment:create',
      body: pay.body,
    })
    const parsed = v.safeParse(MoneyhubPayment, data)
    answer = parsed.success
      ? { httpStatus: 201, body: { ...ids, status: 'made', paymentId: parsed.output.id, payment: parsed.output } }
      : confirming({ ...ids, request: pay.body }, 'upstream_invalid_response')
  } catch (error) {
    const known = knownRefusal(error)
    if (known === 'not_sent') {
      // Moneyhub turned the request away before looking at it: nothing was made, and a retry may send it.
      await consent.storage.delete(storageKey)
      upstreamFailure(error, 'make the payment')
    }
    if (known) answer = { httpStatus: 422, body: { error: 'recurring_payment_refused', message: `Moneyhub refused the payment: ${known}` } }
    else if (error instanceof UpstreamError || error instanceof IdentityApiError)
      answer = confirming({ ...ids, request: pay.body }, error instanceof IdentityApiError ? `upstream_${error.status}` : error.code)
    else throw error
  }
  return { answer: await recordAnswer(consent.storage, storageKey, answer), replayed: false }
}

/**
 * Moneyhub's refusal of the payment (a 4xx about the payment: over a limit,
 * revoked, outside its dates), as its reason; `not_sent` when the call itself
 * was turned away (the client token: 401, 403 insufficient_scope; 429); undefined
 * when the outcome is not known: a 408, or a 4xx without Moneyhub's error body
 * (a gateway's answer, which may come after the payment was made).
 */
function knownRefusal(error: unknown): string | 'not_sent' | undefined {
  if (!(error instanceof IdentityApiError) || error.status < 400 || error.status >= 500) return undefined
  if (error.status === 401 || error.status === 429 || error.apiCode === 'insufficient_scope' || error.apiCode === 'invalid_token')
    return 'not_sent'
  if (error.status === 408) return undefined
  return error.reason ?? error.apiCode
}

/** Kept answers of a confirming pay were written before the ids were known to it: the session's ids, filled in. */
function withIds(answer: PayAnswer, record: StoredSession): PayAnswer {
  if (!('status' in answer.body) || answer.body.id) return answer
  return { ...answer, body: { ...answer.body, id: record.id, recurringPaymentId: record.recurringPaymentId ?? '' } }
}

/** The payments made (or confirming) under the consent through this Worker, oldest first. */
export async function paymentsUnderConsent(storage: DurableObjectStorage): Promise<PaymentUnderConsent[]> {
  const entries = [...(await storage.list<PayEntry>({ prefix: PAY_PREFIX })).values()]
  return entries
    .filter((entry) => entry.answer && entry.answer.httpStatus !== 422)
    .sort((a, b) => a.createdAt - b.createdAt)
    .map((entry) => {
      const body = entry.answer!.body as RecurringPaymentMade
      return {
        status: body.status,
        ...(body.paymentId ? { paymentId: body.paymentId } : {}),
        amount: entry.request.amount,
        payeeRef: entry.request.payeeRef,
        payerRef: entry.request.payerRef,
        createdAt: Math.floor(entry.createdAt / 1000),
        ...(body.reason ? { reason: body.reason } : {}),
      }
    })
}

/** Reconciliation seam: the pays still confirming, by storage key. */
export async function confirmingPayments(storage: DurableObjectStorage): Promise<Map<string, PayEntry>> {
  const entries = await storage.list<PayEntry>({ prefix: PAY_PREFIX })
  return new Map([...entries].filter(([, entry]) => (entry.answer?.body as RecurringPaymentMade | undefined)?.status === 'confirming'))
}

/** Reconciliation seam: a confirming pay settled by Moneyhub's record of the payment; later retries get 201 with it. */
export async function settleConfirmingPayment(storage: DurableObjectStorage, storageKey: string, payment: MoneyhubPayment): Promise<void> {
  const entry = await storage.get<PayEntry>(storageKey)
  const body = entry?.answer?.body as RecurringPaymentMade | undefined
  if (!entry || body?.status !== 'confirming') return
  await recordAnswer(storage, storageKey, { httpStatus: 201, body: { ...body, status: 'made', paymentId: payment.id, payment } })
}

/**
 * Reconciliation: a confirming pay Moneyhub has no record of once the window
 * has passed was not made. Its key then answers 422 `payment_not_made` (a new
 * key may try again); it is not listed among the payments made under the consent.
 */
export async function settleNotMade(storage: DurableObjectStorage, storageKey: string): Promise<void> {
  const entry = await storage.get<PayEntry>(storageKey)
  if ((entry?.answer?.body as RecurringPaymentMade | undefined)?.status !== 'confirming') return
  await recordAnswer(storage, storageKey, {
    httpStatus: 422,
    body: {
      error: 'payment_not_made',
      message: 'Moneyhub has no record of this payment after its window: it was not made; retry with a new Idempotency-Key',
    },
  })
}

/**
 * DELETE /recurring-payments/:id, inside the consent's Durable Object: revoked
 * at Moneyhub, then the session `revoked` (the caller writes the transition:
 * webhook, watchers). Revoking a revoked consent answers it again.
 */
export async function revokeConsent(config: Config, store: SessionStore, current: StoredSession | undefined): Promise<StoredSession> {
  const record = consentRecord(current)
  if (record.status === 'revoked') return record
  if (record.status !== 'authorised' || !record.recurringPaymentId)
    throw new FlowError('conflict', 'consent_not_authorised', `the recurring payment consent is ${record.status}, not authorised`)
  try {
    await identityRequest(config, {
      method: 'DELETE',
      path: `/recurring-payments/${encodeURIComponent(record.recurringPaymentId)}`,
      scope: 'recurring_payment:create',
    })
  } catch (error) {
    // Not revoked here unless Moneyhub said so: DELETE may be retried safely.
    upstreamFailure(error, 'revoke the recurring payment consent')
  }
  return store.markRevoked(record)
}
