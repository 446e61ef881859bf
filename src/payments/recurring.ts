/**
 * A VRP consent in use (a `recurring_payment` session, authorised): paying
 * under it, revoking it and confirming funds under it, with client-credentials
 * tokens on the identity base, as the official client's
 * src/requests/recurring-payments.ts calls them (reading Moneyhub's record of
 * the consent, getRecurringPayment, and the checks before a pay:
 * payments/recurringConsent.ts):
 *
 *   makeRecurringPayment    POST   {identity}/recurring-payments/:id/pay  recurring_payment:create  { payeeId?, amount, payeeRef, payerRef }
 *   revokeRecurringPayment  DELETE {identity}/recurring-payments/:id      recurring_payment:create
 *   confirmFundsForRecurringPayment  POST {identity}/recurring-payments/:id/funds-confirmation
 *                                    recurring_payment:funds_confirmation  { amount: "10.00", currency }  (6.x only)
 *
 * The two official versions declare different answers for the consent read and
 * the pay: 5.2.1 (node_modules/@mft/moneyhub-api-client, dist/schema/payment.d.ts)
 * `RecurringPaymentRequest { id, status?, createdAt, recurringPayment? }`; 6.x
 * (github.com/moneyhub/moneyhub-api-client, src/schema/payment.ts, commits
 * "PAY-469" and "PAY-761") `{ paymentSubmissionId, providerStatus, status,
 * submittedAt, authRequestId, revokedAt? }`. So a 2xx from /pay is Moneyhub
 * accepting the pay, whatever its body, and a consent read refuses only what
 * every version agrees is unusable.
 *
 * Pay and revoke run in the consent's session Durable Object
 * (objects/sessionCoordinator.ts), one at a time: a revocation and the
 * payments around it are seen in order, and an Idempotency-Key is answered by
 * one authority. Each pay is kept in that object as one record per key
 * (PayEntry, PayRecords: objects/coordinator/consentPays.ts owns the storage
 * keys) with the body's hash:
 *  - before the request is sent: `sending`;
 *  - after: the answer, given again to every retry with that key and body
 *    (another body: 422 idempotency_key_reused).
 * Refusals found before anything is sent (the consent's own terms) are not kept.
 * An outcome not known after the request was sent (timeout, 5xx, an answer that
 * cannot be read, or a restart while `sending`) is never `failed`: it is kept
 * `confirming` with its reason, answered 202, and never sent again.
 *
 * The consent's alarm is set before a pay is sent (consentPays.ts), so a pay
 * left `sending` by a restart is found, answered `confirming` (interrupted)
 * and reconciled (recurringPayLooks.ts). Nothing here guesses an outcome
 * (docs/recurring-payments.md, "Reconciliation").
 */
import * as v from 'valibot'
import { isObject, text } from '../util/loose'
import type { Config } from '../config'
import { ApiError, ERRORS } from '../errors'
import { sha256 } from '../util/encoding'
import { IdentityApiError, identityRequest, recordOf } from '../oidc/identity'
import { named, strictObject } from '../util/valibot'
import { log } from '../util/log'
import { UpstreamError } from '../oidc/errors'
import { canonicalJson } from '../storage/idempotency'
import { holdMoneyhubId } from '../objects/moneyhubIdIndex'
import type { SessionStore } from '../storage/sessions'
import type { Session, StoredSession } from '../storage/sessionRecord'
import { upstreamFailure } from './errors'
import type { Follow } from './followStatus'
import { MoneyhubPayment, readPayment } from './payments'
import { checkConsent, consentRecord, usableConsent } from './recurringConsent'
import { currency, payeeId, pence, reference } from './schemas'

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

/** What a pay answers, and what a retry with the same key gets again. */
export interface RecurringPaymentMade {
  /** The consent's session id. */
  id: string
  recurringPaymentId: string
  /** `made`: Moneyhub accepted the pay (a 2xx; its progress is moneyhubStatus, payment.status); `confirming`: sent, outcome not yet known. */
  status: 'made' | 'confirming'
  /** Moneyhub's payment id: 5.2.1's answer `id` (Assumption (project): 5.2.1 does not say whose id it is), or found later in its payments. */
  paymentId?: string
  /** 6.x's answer: the submission's id (the payment record's paymentSubmissionId). */
  paymentSubmissionId?: string
  /** The status Moneyhub's answer gave, as it gave it (5.2.1: InProgress…; 6.x: a payment status, inProgress…). */
  moneyhubStatus?: string
  /** 6.x's providerStatus: Pending, Rejected, AcceptedSettlementInProcess, … */
  providerStatus?: string
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
  /** The consent it was sent under (Moneyhub's id) and the payee it pays (the body's, else the consent read's), when known. */
  recurringPaymentId?: string
  payeeId?: string
  /** A made pay whose payment id is still looked for (6.x answers only a paymentSubmissionId): settled once found or given up. */
  lookedUp?: true
  /** A made pay's payment, followed to Moneyhub's final status of it as a single payment's is (followStatus.ts). */
  follow?: Follow
  /** Its final status, once read (a webhook said it); or `unfollowed` once the bound passed or the record went. */
  final?: string
  unfollowed?: true
  /** A person settled its unknown outcome (POST /unresolved-sessions/:id/settle with `pay`): who and when (ms since the epoch). */
  settled?: PaySettled
}

/** Who settled a pay whose outcome was unknown, and when: the backend (the one caller of the settle route), in ms since the epoch. */
export interface PaySettled {
  by: 'backend'
  at: number
}

/** A pay whose outcome is unknown: sent (or being sent when its object stopped) and not known made, refused or not made. */
export function isUnresolvedPay(entry: PayEntry): boolean {
  if (entry.state === 'sending') return true
  const body = entry.answer?.body
  return !!body && 'status' in body && body.status === 'confirming'
}

/** A payment under the consent, as GET /recurring-payments/:id lists it. */
export interface PaymentUnderConsent {
  /** The pay's reference (sha256 of its Idempotency-Key, base64url): how GET /unresolved-sessions names it and a person settles it. */
  pay: string
  /** `not_made`: a person said Moneyhub has no record of it (`settled`). */
  status: 'made' | 'confirming' | 'not_made'
  paymentId?: string
  paymentSubmissionId?: string
  amount: number
  payeeRef: string
  payerRef: string
  createdAt: number
  reason?: string
  /** Moneyhub's final status of its payment, once followed there (completed, rejected, …); `status` stays made. */
  moneyhubStatus?: string
  /** Settled by a person, from unknown: who and when. */
  settled?: PaySettled
}

/**
 * The consent's pays as its Durable Object keeps them, one record per
 * Idempotency-Key (objects/coordinator/consentPays.ts owns their storage keys).
 */
export interface PayRecords {
  /** The record key of a pay's Idempotency-Key. */
  keyOf(idempotencyKey: string): Promise<string>
  get(key: string): Promise<PayEntry | undefined>
  put(key: string, entry: PayEntry): Promise<void>
  delete(key: string): Promise<void>
  entries(): Promise<Map<string, PayEntry>>
  /** Who holds a pay's Moneyhub payment id (objects/moneyhubIdIndex.ts): `<sessionId>/<pay reference>`. */
  holderOf(sessionId: string, key: string): string
  /** The pay's reference (what GET /recurring-payments/:id lists as `pay`) of a record key, and back. */
  refOf(key: string): string
  keyOfRef(ref: string): string
}

/** What the consent's Durable Object gives a pay: its env, its pays, its current record, and what to do before sending. */
export interface ConsentContext {
  env: Env
  pays: PayRecords
  record: StoredSession | undefined
  /** Called once the pay is recorded `sending`, before it is sent: the consent's alarm is set here, so a restart leaves nothing unlooked-at. */
  sending?: () => Promise<void>
}

/** The kept answer for this key and body, a 422 for another body, or undefined when the key is new. */
async function keptAnswer(pays: PayRecords, storageKey: string, bodyHash: string): Promise<PayAnswer | undefined> {
  const entry = await pays.get(storageKey)
  if (!entry) return undefined
  if (entry.bodyHash !== bodyHash) throw new ApiError('idempotency_key_reused', 'this Idempotency-Key was used with another request body')
  if (entry.state === 'answered' && entry.answer) return entry.answer
  // Sending when this object stopped: the request may have reached Moneyhub. Never sent again.
  return recordAnswer(pays, storageKey, confirming(entry, 'interrupted'))
}

export function confirming(entry: { id?: string; recurringPaymentId?: string }, reason: string): PayAnswer {
  return {
    httpStatus: 202,
    body: { id: entry.id ?? '', recurringPaymentId: entry.recurringPaymentId ?? '', status: 'confirming', reason },
  }
}

/** The pay's answer, kept for every retry with its key. */
export async function recordAnswer(pays: PayRecords, storageKey: string, answer: PayAnswer): Promise<PayAnswer> {
  const entry = await pays.get(storageKey)
  if (entry) await pays.put(storageKey, { ...entry, state: 'answered', answer } satisfies PayEntry)
  return answer
}

/**
 * POST /recurring-payments/:id/pay, inside the consent's Durable Object.
 * Returns the answer and whether it is a replay; throws ApiError for what is
 * refused before anything is sent.
 */
export async function payUnderConsent(
  config: Config,
  consent: ConsentContext,
  pay: { idempotencyKey: string; body: RecurringPayBody },
): Promise<{ answer: PayAnswer; replayed: boolean }> {
  const record = consentRecord(consent.record)
  const storageKey = await consent.pays.keyOf(pay.idempotencyKey)
  const bodyHash = await sha256(canonicalJson(pay.body))
  const kept = await keptAnswer(consent.pays, storageKey, bodyHash)
  if (kept) return { answer: withIds(kept, record), replayed: true }

  const { recurringPaymentId, payeeId: consentPayee } = await checkConsent(config, record, pay.body.amount)
  const payee = pay.body.payeeId ?? consentPayee
  await consent.pays.put(storageKey, {
    bodyHash,
    createdAt: Date.now(),
    request: pay.body,
    state: 'sending',
    recurringPaymentId,
    ...(payee ? { payeeId: payee } : {}),
  } satisfies PayEntry)
  await consent.sending?.()
  const ids = { id: record.id, recurringPaymentId }
  let answer: PayAnswer
  try {
    const data = await identityRequest(config, {
      method: 'POST',
      path: `/recurring-payments/${encodeURIComponent(recurringPaymentId)}/pay`,
      scope: 'recurring_payment:create',
      body: pay.body,
    })
    answer = payAnswerOf(ids, data)
  } catch (error) {
    const known = knownRefusal(error)
    if (known === 'not_sent') {
      // Moneyhub turned the request away before looking at it: nothing was made, and a retry may send it.
      await consent.pays.delete(storageKey)
      upstreamFailure(error, 'make the payment')
    }
    if (known)
      answer = {
        httpStatus: ERRORS.recurring_payment_refused,
        body: { error: 'recurring_payment_refused', message: `Moneyhub refused the payment: ${known}` },
      }
    else if (error instanceof UpstreamError || error instanceof IdentityApiError)
      answer = confirming(ids, error instanceof IdentityApiError ? `upstream_${error.status}` : error.code)
    else throw error
  }
  const made = answer.body as RecurringPaymentMade
  if (answer.httpStatus !== 201 || !made.paymentId) answer = await recordAnswer(consent.pays, storageKey, answer)
  else {
    // Kept first without its id: Moneyhub accepted the pay whatever follows, and a made pay without its id is looked up
    // from the alarm (recurringPayLooks.ts). The id is kept only once held for this pay, so no other can claim it.
    const { paymentId, ...rest } = made
    answer = await recordAnswer(consent.pays, storageKey, { httpStatus: 201, body: rest })
    const holder = consent.pays.holderOf(record.id, storageKey)
    const held = await holdMoneyhubId(consent.env, 'recurring_pay', paymentId!, holder).catch((error: unknown) => {
      log('warn', 'recurring_pay_id_unheld', { sessionId: record.id, error: error instanceof Error ? error.name : 'unknown' })
      return undefined
    })
    // Unreachable (held undefined): left made without it, looked up and held later.
    if (held && !held.ok) {
      log('warn', 'recurring_pay_id_held', { sessionId: record.id })
      answer = await recordAnswer(consent.pays, storageKey, { httpStatus: 201, body: { ...rest, reason: 'id_held_elsewhere' } })
    } else if (held) {
      const payment = await readPayment(config, paymentId!, { fresh: true }).catch(() => undefined)
      answer = await recordAnswer(consent.pays, storageKey, { httpStatus: 201, body: { ...made, ...(payment ? { payment } : {}) } })
    }
  }
  return { answer, replayed: false }
}

/** What the consent's object answers a pay with: its answer, and whether it was kept from an earlier request with the key. */
export interface PayOutcome {
  answer: PayAnswer
  replayed: boolean
}

/**
 * The consent's object asked to pay (`ask`), once more when its answer is lost (it restarted with the pay perhaps at
 * Moneyhub): asked again, it answers from the pay's record (kept `sending` before it was sent: now confirming), or pays
 * if it never got it. Lost twice, the outcome is unknown, never failed: 202 confirming; a retry with the key learns it.
 */
export async function askAgainWhenLost<R extends { ok: boolean }>(
  ask: () => Promise<R>,
  ids: { id: string; recurringPaymentId: string },
): Promise<{ outcome: R | ({ ok: true } & PayOutcome); recovered: boolean }> {
  try {
    return { outcome: await ask(), recovered: false }
  } catch (error) {
    log('warn', 'recurring_payment_interrupted', { sessionId: ids.id, error: error instanceof Error ? error.name : 'unknown' })
    const unknown = { ok: true as const, answer: confirming(ids, 'interrupted'), replayed: false }
    return { outcome: await ask().catch(() => unknown), recovered: true }
  }
}

/** A printable id or status from Moneyhub's answer, passed on as it is. */
const token = (value: unknown) => (typeof value === 'string' && /^[\x21-\x7e]{1,128}$/.test(value) ? value : undefined)

/**
 * A 2xx from /pay: Moneyhub accepted the pay, whatever its body (`{ data: T }`
 * or a bare T, either version's T, or nothing readable). 201 `made`, with the
 * ids and statuses it gave: 5.2.1's `id` (unless it is the consent's own id),
 * 6.x's `paymentSubmissionId`, `status` as `moneyhubStatus`, `providerStatus`.
 */
export function payAnswerOf(ids: { id: string; recurringPaymentId: string }, data: unknown): PayAnswer {
  const read = recordOf(data)
  const record = isObject(read) ? read : {}
  const paymentId = token(record.id)
  const found = {
    ...(paymentId && paymentId !== ids.recurringPaymentId ? { paymentId } : {}),
    ...(token(record.paymentSubmissionId) ? { paymentSubmissionId: token(record.paymentSubmissionId)! } : {}),
    ...(token(record.status) ? { moneyhubStatus: token(record.status)! } : {}),
    ...(token(record.providerStatus) ? { providerStatus: token(record.providerStatus)! } : {}),
  }
  return { httpStatus: 201, body: { ...ids, status: 'made', ...found } }
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

/** POST /recurring-payments/:id/funds-confirmation: the amount in pence and its currency. */
export const FundsConfirmationBody = named(
  strictObject({
    amount: pence(OPENAPI_BUILD && 'Amount in pence, an integer above 0'),
    currency,
  }),
  OPENAPI_BUILD && 'FundsConfirmationBody',
  OPENAPI_BUILD && 'An amount to confirm the funds for, under an authorised VRP consent.',
)
export type FundsConfirmationBody = v.InferOutput<typeof FundsConfirmationBody>

/** The answer, as the official client 6.x declares FundsConfirmationResponse (src/schema/payment.ts), the amount in pence. */
export interface FundsConfirmation {
  fundsAvailable: boolean
  fundsAvailableAt?: string
  amount: number
  currency: string
  recurringPaymentId: string
}

const poundsOf = (pence: number) => `${Math.floor(pence / 100)}.${String(pence % 100).padStart(2, '0')}`
const penceFromPounds = (pounds: unknown) =>
  typeof pounds === 'string' && /^\d+(\.\d{1,2})?$/.test(pounds) ? Math.round(Number(pounds) * 100) : undefined

/**
 * Whether the payer's account can pay `amount` under the consent: the
 * official client 6.x's confirmFundsForRecurringPayment (src/requests/recurring-payments.ts,
 * scope recurring_payment:funds_confirmation; its readme sends `{ amount: "10.00", currency: "GBP" }`).
 * Nothing moves: a failure is 502, safe to retry.
 */
export async function confirmFunds(
  config: Config,
  session: Pick<Session, 'kind' | 'status' | 'recurringPaymentId'> | undefined,
  asked: FundsConfirmationBody,
): Promise<FundsConfirmation> {
  const recurringPaymentId = usableConsent(consentRecord(session))
  let data: unknown
  try {
    data = await identityRequest(config, {
      method: 'POST',
      path: `/recurring-payments/${encodeURIComponent(recurringPaymentId)}/funds-confirmation`,
      scope: 'recurring_payment:funds_confirmation',
      body: { amount: poundsOf(asked.amount), currency: asked.currency },
    })
  } catch (error) {
    if (error instanceof IdentityApiError && error.status === 404)
      throw new ApiError('recurring_payment_not_found', 'Moneyhub has no recurring payment consent with this id')
    upstreamFailure(error, 'confirm the funds')
  }
  const read = recordOf(data)
  const answer = isObject(read) ? read : {}
  if (typeof answer.fundsAvailable !== 'boolean')
    throw new ApiError('upstream_invalid_response', 'Moneyhub answered the funds confirmation in an unexpected shape')
  return {
    fundsAvailable: answer.fundsAvailable,
    ...(text(answer.fundsAvailableAt) ? { fundsAvailableAt: text(answer.fundsAvailableAt)! } : {}),
    amount: penceFromPounds(answer.amount) ?? asked.amount,
    currency: token(answer.currency) ?? asked.currency,
    recurringPaymentId,
  }
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
    throw new ApiError('consent_not_authorised', `the recurring payment consent is ${record.status}, not authorised`)
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
