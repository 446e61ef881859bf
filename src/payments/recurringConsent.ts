/**
 * A VRP consent's own reads and checks, before anything is paid under it: the
 * session is a consent (consentRecord), its status here lets it be used
 * (usableConsent), and Moneyhub's record of it, read now, forbids nothing
 * (readRecurringPayment, refusalOfConsent). With a client-credentials token on
 * the identity base, as the official client's src/requests/recurring-payments.ts
 * calls it:
 *
 *   getRecurringPayment     GET    {identity}/recurring-payments/:id      recurring_payment:read
 *
 * The two official versions declare different answers for the read: 5.2.1
 * (node_modules/@mft/moneyhub-api-client, dist/schema/payment.d.ts)
 * `RecurringPaymentRequest { id, status?, createdAt, recurringPayment? }`; 6.x
 * (github.com/moneyhub/moneyhub-api-client, src/schema/payment.ts, commits
 * "PAY-469" and "PAY-761") `{ paymentSubmissionId, providerStatus, status,
 * submittedAt, authRequestId, revokedAt? }`. So a read refuses only what every
 * version agrees is unusable. Paying, revoking and the funds confirmation:
 * payments/recurring.ts.
 */
import * as v from 'valibot'
import { isObject, text } from '../util/loose'
import type { Config } from '../config'
import { ApiError } from '../errors'
import { IdentityApiError, identityRequest } from '../oidc/identity'
import { looseObject, named } from '../util/valibot'
import type { Session, StoredSession } from '../storage/sessionRecord'
import { isConsent } from '../kinds/registry'
import { upstreamFailure } from './errors'

/**
 * Moneyhub's record of a VRP consent, in either official version (see the top
 * of this file): every member optional, other members passed through. 5.2.1:
 * id, status (InProgress, AwaitingAuthorisation, Rejected, Authorised, Revoked,
 * Expired), createdAt, recurringPayment (its terms); 6.x: paymentSubmissionId,
 * providerStatus, status (a payment status), submittedAt, authRequestId, revokedAt.
 */
export const MoneyhubRecurringPayment = named(
  looseObject({
    id: v.optional(v.string()),
    status: v.optional(v.string()),
    createdAt: v.optional(v.string()),
    recurringPayment: v.optional(v.looseObject({})),
    paymentSubmissionId: v.optional(v.string()),
    providerStatus: v.optional(v.string()),
    submittedAt: v.optional(v.string()),
    authRequestId: v.optional(v.string()),
    revokedAt: v.optional(v.string()),
  }),
  OPENAPI_BUILD && 'MoneyhubRecurringPayment',
  OPENAPI_BUILD &&
    "Moneyhub's record of a VRP consent, as the official client 5.2.1 declares it (id, status, createdAt, recurringPayment: its terms) or 6.x (paymentSubmissionId, providerStatus, status, submittedAt, authRequestId, revokedAt)",
)
export type MoneyhubRecurringPayment = v.InferOutput<typeof MoneyhubRecurringPayment>

const notFound = () => new ApiError('recurring_payment_not_found', 'no recurring payment consent has this id (it may have expired)')

/** The consent's record, when the session is a VRP consent; 404 otherwise. */
export function consentRecord<R extends Pick<Session, 'kind'>>(record: R | undefined): R {
  if (!record || !isConsent(record)) throw notFound()
  return record
}

/** Moneyhub's record of the consent, read now: `{ data: T }` or a bare T, in either version's shape. */
export async function readRecurringPayment(config: Config, recurringPaymentId: string): Promise<MoneyhubRecurringPayment> {
  let data: unknown
  try {
    data = await identityRequest(config, {
      path: `/recurring-payments/${encodeURIComponent(recurringPaymentId)}`,
      scope: 'recurring_payment:read',
    })
  } catch (error) {
    if (error instanceof IdentityApiError && error.status === 404) {
      throw new ApiError('recurring_payment_not_found', 'Moneyhub has no recurring payment consent with this id')
    }
    upstreamFailure(error, 'read the recurring payment consent')
  }
  const parsed = v.safeParse(MoneyhubRecurringPayment, data)
  // 5.2.1's id, when given, must be this consent's; 6.x's record has none.
  if (!parsed.success || (parsed.output.id !== undefined && parsed.output.id !== recurringPaymentId))
    throw new ApiError('upstream_invalid_response', 'Moneyhub answered the recurring payment consent in an unexpected shape')
  return parsed.output
}

/** A date-only validToDate covers that whole day (as the mock counts it). */
const endOf = (date: string) => (/^\d{4}-\d{2}-\d{2}$/.test(date) ? Date.parse(date) + 86_400_000 : Date.parse(date))

/**
 * What a consent read forbids, if anything. Only what every version agrees
 * means unusable refuses: `Revoked`, `Expired`, `Rejected` (5.2.1's consent
 * statuses), `revokedAt` (6.x); and the terms, when the read states them
 * (validFromDate, validToDate, maximumIndividualAmount, numbers and dates only).
 * A read without terms, with a status not known here (6.x's are payment
 * statuses), or in a shape not known at all refuses nothing: Moneyhub judges.
 */
export function refusalOfConsent(read: unknown, amount: number): ApiError | undefined {
  if (!isObject(read)) return undefined
  if (read.status === 'Revoked' || text(read.revokedAt))
    return new ApiError('consent_revoked', 'Moneyhub says the recurring payment consent was revoked')
  if (read.status === 'Expired') return new ApiError('consent_expired', 'Moneyhub says the recurring payment consent is Expired')
  if (read.status === 'Rejected') return new ApiError('consent_not_authorised', 'Moneyhub says the recurring payment consent is Rejected')
  const terms = isObject(read.recurringPayment) ? read.recurringPayment : {}
  const now = Date.now()
  const from = text(terms.validFromDate)
  const to = text(terms.validToDate)
  if (from && now < Date.parse(from)) return new ApiError('consent_not_yet_valid', `the consent is valid from ${from}`)
  if (to && now >= endOf(to)) return new ApiError('consent_expired', `the consent was valid until ${to}`)
  // Assumption (project): the consent's maximumIndividualAmount is in pence, as the amounts sent to /pay.
  const maximum = terms.maximumIndividualAmount
  if (typeof maximum === 'number' && amount > maximum)
    return new ApiError(
      'amount_over_maximum',
      `the amount (${amount} pence) is more than the consent's maximumIndividualAmount (${maximum} pence)`,
    )
  return undefined
}

/**
 * The consent's session here: revoked, unverified (its outcome or its id never
 * proved: issue 26, a consent is never linked by likeness) or not authorised
 * refuse; the consent's Moneyhub id otherwise.
 */
export function usableConsent(record: Pick<Session, 'status' | 'recurringPaymentId'>): string {
  if (record.status === 'revoked') throw new ApiError('consent_revoked', 'this recurring payment consent was revoked')
  if (record.status === 'confirming' || (record.status === 'authorised' && !record.recurringPaymentId))
    throw new ApiError(
      'consent_unverified',
      'this recurring payment consent is not verified at Moneyhub yet (its outcome or its id is unknown); nothing is paid under it until it is, or set it up again',
    )
  if (record.status !== 'authorised' || !record.recurringPaymentId)
    throw new ApiError('consent_not_authorised', `the recurring payment consent is ${record.status}, not authorised`)
  return record.recurringPaymentId
}

/** The consent's status here, then what Moneyhub's record of it says: nothing is sent that it already forbids. */
export async function checkConsent(
  config: Config,
  record: StoredSession,
  amount: number,
): Promise<{ recurringPaymentId: string; payeeId?: string }> {
  const recurringPaymentId = usableConsent(record)
  let read: MoneyhubRecurringPayment | undefined
  try {
    read = await readRecurringPayment(config, recurringPaymentId)
  } catch (error) {
    // A read in a shape not known here says nothing against the pay: Moneyhub judges it.
    if (!(error instanceof ApiError && error.code === 'upstream_invalid_response')) throw error
  }
  const refused = refusalOfConsent(read, amount)
  if (refused) throw refused
  // Assumption (project): neither version declares the consent's payee; the mock's record carries payeeId.
  const payee = text(read?.payeeId)
  return { recurringPaymentId, ...(payee ? { payeeId: payee } : {}) }
}
