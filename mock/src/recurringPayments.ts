/**
 * The mock's VRP consents in use, at the identity server's base ({identity}),
 * with client-credentials tokens, as the official client
 * (`moneyhub/moneyhub-api-client`, src/requests/recurring-payments.ts) calls them:
 *
 *   GET    /recurring-payments/:id      getRecurringPayment     recurring_payment:read
 *   POST   /recurring-payments/:id/pay  makeRecurringPayment    recurring_payment:create   body { payeeId?, amount, payeeRef, payerRef }
 *   DELETE /recurring-payments/:id      revokeRecurringPayment  recurring_payment:create
 *   POST   /recurring-payments/:id/funds-confirmation  confirmFundsForRecurringPayment  recurring_payment:funds_confirmation  (6.x only)
 *
 * The two official versions declare different answers (getRecurringPayment and
 * makeRecurringPayment): 5.2.1 (the registry's, node_modules/@mft/moneyhub-api-client,
 * dist/schema/payment.d.ts) a consent-like `RecurringPaymentRequest { id, status,
 * createdAt, recurringPayment }`; 6.x (github.com/moneyhub/moneyhub-api-client,
 * src/schema/payment.ts, commit "PAY-469") a submission `{ paymentSubmissionId,
 * providerStatus, status, submittedAt, authRequestId, revokedAt? }`. The mock answers
 * a consent in 5.2.1's shape unless a test switches it to 6.x
 * (POST /__mock/recurring-payments/:id/version?v=6).
 *
 * A consent is made when the code of an approved `recurring_payment:create`
 * flow is exchanged (payments.ts, completeAtExchange). Paying under it checks
 * what Moneyhub's VRP page ("Recurring Payments (VRP)", docs.moneyhubenterprise.com)
 * lists as the consent's limits: validFromDate, validToDate,
 * maximumIndividualAmount and periodicLimits (periodType, periodAlignment), and
 * a revoked consent pays nothing. How the limits are counted follows the Open
 * Banking VRP control parameters (OB Read/Write "Domestic VRP Consents",
 * OBDomesticVRPControlParameters), which Moneyhub's fields mirror.
 */
import type { Payment, RecurringPaymentRequest as RecurringPaymentRequest521 } from '@mft/moneyhub-api-client/dist/schema/payment'
import { Hono } from 'hono'
import { requireClientToken } from './clientCredentials'
import { OAuthError } from './oauth'
import { addPayment, payees, payments, REJECTED_PAYEE_NAME, viewPayment, type MockPayment } from './payments'

/** The official client 5.2.1's RecurringPaymentStatus (dist/schema/payment.d.ts): InProgress, AwaitingAuthorisation, Rejected, Authorised, Revoked, Expired. */
type ConsentStatus = 'Authorised' | 'Revoked'

interface PeriodicLimit {
  amount: number
  currency?: string
  periodType: 'Day' | 'Week' | 'Fortnight' | 'Month' | 'Half-year' | 'Year'
  periodAlignment: 'Consent' | 'Calendar'
}

/** The official client 5.2.1's RecurringPaymentRequest (dist/schema/payment.d.ts): id, status, createdAt, updatedAt, recurringPayment. */
export interface MockRecurringPayment {
  id: string
  clientId: string
  status: ConsentStatus
  createdAt: string
  updatedAt: string
  payeeId: string
  /** The user the consent was made for (the grant's sub): GET /recurring-payments?userId= filters on it. */
  userId?: string
  recurringPayment: {
    reference?: string
    validFromDate?: string
    validToDate?: string
    maximumIndividualAmount: number
    currency: string
    periodicLimits: PeriodicLimit[]
    type?: unknown
  }
}

/**
 * The official client 6.x's RecurringPaymentRequest (moneyhub/moneyhub-api-client, src/schema/payment.ts, commits
 * "PAY-469" and "PAY-761"; read at 6.100.1): what getRecurringPayment(s) and makeRecurringPayment answer there.
 * Written here: 5.2.1 does not have it. Its `status` is 6.x's PaymentStatus, the same union as 5.2.1's `Payment.status`.
 */
export interface RecurringPaymentRequest6 {
  paymentSubmissionId: string
  providerStatus:
    | 'Pending'
    | 'Rejected'
    | 'AcceptedSettlementInProcess'
    | 'AcceptedSettlementCompleted'
    | 'AcceptedWithoutPosting'
    | 'AcceptedCreditSettlementCompleted'
  status: Payment['status']
  submittedAt: string
  authRequestId: string
  revokedAt?: string
}

/** The official client 6.x's FundsConfirmationRequest and FundsConfirmationResponse (moneyhub/moneyhub-api-client, src/schema/payment.ts): amounts as decimal strings. */
export interface FundsConfirmationResponse6 {
  fundsAvailable: boolean
  fundsAvailableAt: string
  amount: string
  currency: string
  recurringPaymentId: string
}

export const recurringPayments = new Map<string, MockRecurringPayment>()
/** Which official version each consent answers in (5.2.1 unless a test switched it). */
const versions = new Map<string, '5' | '6'>()
/** When each consent was revoked (6.x's revokedAt). */
const revokedAt = new Map<string, string>()
/** Assumption (project): the payer's account holds £1,000 for funds confirmation; a test can set another balance per consent. */
const DEFAULT_BALANCE_PENCE = 100_000
const balances = new Map<string, number>()
/** For tests: the funds confirmation bodies each consent received. */
const fundsAsked = new Map<string, unknown[]>()
/** The payments made under each consent (ids into payments.ts's map). */
const paidUnder = new Map<string, string[]>()
/**
 * A one-shot fault per consent's next pay: made, then answered as a failure (a 500, or a gateway's bare 408), or
 * answered only after `delay_ms` (slow); or, before anything is made, a gateway's bare 502 (bad_gateway); or accepted
 * (2xx) with a payment that never shows in the lists (unlisted: Moneyhub's lists lagging, or a record this Worker cannot find);
 * or made, listed without its payerRef (optional in the official client's `Payment`), then answered 500 (sparse).
 */
type PayFault = { kind: 'server_error' | 'gateway_timeout' | 'bad_gateway' | 'unlisted' | 'sparse' } | { kind: 'slow'; delayMs: number }
const payFaults = new Map<string, PayFault>()

/** At the code exchange of an approved VRP flow (payments.ts, completeAtExchange). */
export function addRecurringPayment(id: string, clientId: string, payeeId: string, value: Record<string, unknown>, userId?: string) {
  const at = new Date().toISOString()
  recurringPayments.set(id, {
    id,
    clientId,
    status: 'Authorised',
    createdAt: at,
    updatedAt: at,
    payeeId,
    ...(userId ? { userId } : {}),
    recurringPayment: {
      ...(value.reference !== undefined ? { reference: value.reference as string } : {}),
      ...(value.validFromDate !== undefined ? { validFromDate: value.validFromDate as string } : {}),
      ...(value.validToDate !== undefined ? { validToDate: value.validToDate as string } : {}),
      maximumIndividualAmount: value.maximumIndividualAmount as number,
      currency: (value.currency as string | undefined) ?? 'GBP',
      periodicLimits: value.periodicLimits as PeriodicLimit[],
      ...(value.type !== undefined ? { type: value.type } : {}),
    },
  })
}

const DAY_MS = 86_400_000

/** A date-only validToDate covers that whole day. Assumption (project): Moneyhub does not say; OB's ValidToDateTime is an instant. */
function endOf(date: string): number {
  return /^\d{4}-\d{2}-\d{2}$/.test(date) ? Date.parse(date) + DAY_MS : Date.parse(date)
}

const addMonths = (ms: number, months: number) => {
  const d = new Date(ms)
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds())
}
const MONTHS: Partial<Record<PeriodicLimit['periodType'], number>> = { Month: 1, 'Half-year': 6, Year: 12 }
const DAYS: Partial<Record<PeriodicLimit['periodType'], number>> = { Day: 1, Week: 7, Fortnight: 14 }

/**
 * When the period that holds `now` began. OB VRP control parameters
 * (PeriodicLimits/PeriodAlignment): `Consent` periods run from the consent's
 * start (validFromDate, else its creation); `Calendar` periods are calendar
 * days, weeks (from Monday), months, half-years (January, July) and years.
 * Assumption (project): a calendar fortnight is two ISO weeks counted from Monday 1970-01-05 (OB does not fix its start).
 */
export function periodStart(limit: PeriodicLimit, consentStart: number, now: number): number {
  const months = MONTHS[limit.periodType]
  if (limit.periodAlignment === 'Calendar') {
    const d = new Date(now)
    if (months) {
      const month = d.getUTCMonth() - (d.getUTCMonth() % months)
      return Date.UTC(d.getUTCFullYear(), month, 1)
    }
    const today = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())
    if (limit.periodType === 'Day') return today
    const monday = today - ((d.getUTCDay() + 6) % 7) * DAY_MS
    if (limit.periodType === 'Week') return monday
    const weeks = Math.floor((monday - Date.UTC(1970, 0, 5)) / (7 * DAY_MS))
    return monday - (weeks % 2) * 7 * DAY_MS
  }
  if (months) {
    let n = 0
    while (addMonths(consentStart, (n + 1) * months) <= now) n += 1
    return addMonths(consentStart, n * months)
  }
  const length = DAYS[limit.periodType]! * DAY_MS
  return consentStart + Math.floor((now - consentStart) / length) * length
}

/** Why this payment breaks the consent's control parameters, or undefined when it may be made. */
function refusal(consent: MockRecurringPayment, amount: number, now: number): { code: string; message: string } | undefined {
  const terms = consent.recurringPayment
  if (consent.status === 'Revoked') return { code: 'ConsentRevoked', message: 'the recurring payment consent has been revoked' }
  if (terms.validFromDate && now < Date.parse(terms.validFromDate))
    return { code: 'ConsentNotYetValid', message: `the consent is valid from ${terms.validFromDate}` }
  if (terms.validToDate && now >= endOf(terms.validToDate))
    return { code: 'ConsentExpired', message: `the consent was valid until ${terms.validToDate}` }
  if (amount > terms.maximumIndividualAmount)
    return {
      code: 'FailsControlParameters',
      message: `the amount ${amount} is more than the consent's maximumIndividualAmount ${terms.maximumIndividualAmount}`,
    }
  const consentStart = terms.validFromDate ? Date.parse(terms.validFromDate) : Date.parse(consent.createdAt)
  const made = (paidUnder.get(consent.id) ?? []).map((id) => payments.get(id)!).filter((p) => p.status !== 'rejected')
  for (const limit of terms.periodicLimits) {
    const from = periodStart(limit, consentStart, now)
    const spent = made.filter((p) => Date.parse(p.initiatedAt) >= from).reduce((sum, p) => sum + p.amount, 0)
    if (spent + amount > limit.amount)
      return {
        code: 'FailsControlParameters',
        message: `the payment would take this ${limit.periodType} (${limit.periodAlignment}) to ${spent + amount}, over its limit of ${limit.amount}`,
      }
  }
  return undefined
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The claim's `type`, one or an array (payments.ts, checkRecurringPayment), as 5.2.1's `RecurringPaymentType[]`. */
const typesOf = (type: unknown) => (Array.isArray(type) ? type : type === undefined ? [] : [type]) as ('Sweeping' | 'Other')[]

/**
 * A consent in 5.2.1's declared shape (RecurringPaymentRequest: its terms with `reference` and `type` always given).
 * Assumption (project): payeeId and userId sit beside it, so the list can be filtered on them; a consent made without
 * a reference shows ''.
 */
const consentAs5 = ({ clientId: _c, ...consent }: MockRecurringPayment) =>
  ({
    ...consent,
    recurringPayment: {
      ...consent.recurringPayment,
      reference: consent.recurringPayment.reference ?? '',
      type: typesOf(consent.recurringPayment.type),
    },
  }) satisfies RecurringPaymentRequest521

/** 6.x's answer for a pay: its submission. Assumption (project): authRequestId is the consent's own id (the mock keeps no auth requests). */
const submission = (consent: MockRecurringPayment, paymentSubmissionId: string, submittedAt: string): RecurringPaymentRequest6 => ({
  paymentSubmissionId,
  providerStatus: 'Pending',
  status: 'inProgress',
  submittedAt,
  authRequestId: consent.id,
  ...(revokedAt.has(consent.id) ? { revokedAt: revokedAt.get(consent.id)! } : {}),
})

/**
 * 6.x declares getRecurringPayment with the same submission shape: no id, no terms. Assumption (project): the mock fills
 * it from the consent's latest pay, or the consent itself before any (providerStatus AcceptedWithoutPosting, status
 * completed), and revokedAt once revoked.
 */
function consentAs6(consent: MockRecurringPayment): RecurringPaymentRequest6 {
  const latest = (paidUnder.get(consent.id) ?? []).map((id) => payments.get(id)!).at(-1)
  return latest
    ? submission(consent, latest.paymentSubmissionId!, latest.initiatedAt)
    : { ...submission(consent, consent.id, consent.createdAt), providerStatus: 'AcceptedWithoutPosting', status: 'completed' }
}

/**
 * A consent in getRecurringPayments' list (payments.ts), in the shape its version switch says: 5.2.1's, or 6.x's
 * submission (no id, no terms). Assumption (project): payeeId and userId sit beside either, so the list can be
 * filtered on them.
 */
export const listedConsent = (consent: MockRecurringPayment) =>
  versions.get(consent.id) === '6'
    ? { ...consentAs6(consent), payeeId: consent.payeeId, ...(consent.userId ? { userId: consent.userId } : {}) }
    : consentAs5(consent)

export function recurringPaymentsApi() {
  const mine = (clientId: string, id: string) => {
    const consent = recurringPayments.get(id)
    return consent?.clientId === clientId ? consent : undefined
  }
  // Assumption (project): errors as the rest of Moneyhub's identity APIs answer them, { code, message } (src/oidc/identity.ts).
  const notFound = { code: 'NotFound', message: 'no such recurring payment' }
  return new Hono()
    .onError((error, c) => {
      if (error instanceof OAuthError) return c.json({ error: error.error, error_description: error.description }, error.status)
      console.error(error)
      return c.json({ code: 'InternalError', message: 'mock failure' }, 500)
    })
    .get('/recurring-payments/:id', (c) => {
      const token = requireClientToken(c, 'recurring_payment:read')
      const consent = mine(token.clientId, c.req.param('id'))
      if (!consent) return c.json(notFound, 404)
      return c.json({ data: versions.get(consent.id) === '6' ? consentAs6(consent) : consentAs5(consent) })
    })
    .post('/recurring-payments/:id/pay', async (c) => {
      const token = requireClientToken(c, 'recurring_payment:create')
      const consent = mine(token.clientId, c.req.param('id'))
      if (!consent) return c.json(notFound, 404)
      const body = await c.req.json<unknown>().catch(() => undefined)
      const problem = (message: string) => c.json({ code: 'BadRequest', message }, 400)
      // The official client's readme, makeRecurringPayment: payment { payeeId (optional), amount, payeeRef, payerRef }.
      if (!isObject(body)) return problem('the body must be a JSON object')
      const unknown = Object.keys(body).filter((k) => !['payeeId', 'amount', 'payeeRef', 'payerRef'].includes(k))
      if (unknown.length) return problem(`unknown members: ${unknown.join(', ')}`)
      if (!Number.isSafeInteger(body.amount) || (body.amount as number) <= 0)
        return problem('amount must be an integer number of pence above 0')
      for (const member of ['payeeRef', 'payerRef']) {
        const ref = body[member]
        if (typeof ref !== 'string' || ref.length < 1 || ref.length > 18) return problem(`${member} must be 1 to 18 characters`)
      }
      if (body.payeeId !== undefined && (typeof body.payeeId !== 'string' || payees.get(body.payeeId)?.clientId !== token.clientId))
        return problem('payeeId is not a payee of this client')
      const refused = refusal(consent, body.amount as number, Date.now())
      // Assumption (project): a payment the consent does not allow is 400 with the reason; OB answers 400 UK.OBIE.Rules.FailsControlParameters.
      if (refused) return c.json(refused, 400)
      const fault = payFaults.get(consent.id)
      payFaults.delete(consent.id)
      // Assumption (project): a gateway in front of the API fails before the request reaches it: nothing is made.
      if (fault?.kind === 'bad_gateway') return c.text('Bad Gateway', 502)
      const paymentSubmissionId = crypto.randomUUID()
      if (fault?.kind === 'unlisted') {
        const at = new Date().toISOString()
        const accepted = { id: crypto.randomUUID(), status: 'InProgress', createdAt: at } satisfies RecurringPaymentRequest521
        return c.json({ data: versions.get(consent.id) === '6' ? submission(consent, paymentSubmissionId, at) : accepted }, 201)
      }
      const id = addPayment(
        {
          clientId: token.clientId,
          amount: body.amount as number,
          payeeId: (body.payeeId as string | undefined) ?? consent.payeeId,
          payeeType: 'api-payee',
          payeeRef: body.payeeRef as string,
          payerRef: body.payerRef as string,
          isReversible: false,
          ...(consent.userId ? { userId: consent.userId } : {}),
          paymentSubmissionId,
          recurringPaymentId: consent.id,
        },
        // As a single payment's: the (mock) bank rejects a pay to a payee of this name, after it was made.
        payees.get((body.payeeId as string | undefined) ?? consent.payeeId)?.name === REJECTED_PAYEE_NAME,
      )
      paidUnder.set(consent.id, [...(paidUnder.get(consent.id) ?? []), id])
      if (fault?.kind === 'sparse') {
        delete (payments.get(id) as Partial<MockPayment>).payerRef
        return c.json({ code: 'InternalError', message: 'mock failure after paying' }, 500)
      }
      if (fault?.kind === 'server_error') return c.json({ code: 'InternalError', message: 'mock failure after paying' }, 500)
      // Assumption (project): a gateway in front of the API times out after the work is done, with no Moneyhub error body.
      if (fault?.kind === 'gateway_timeout') return c.text('Request Timeout', 408)
      if (fault?.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, fault.delayMs))
      const made = payments.get(id)!
      // Each version's declared answer (see the top of this file); `id` in 5.2.1's is the payment's. Assumption (project): 5.2.1 does not say whose id it is.
      return c.json(
        versions.get(consent.id) === '6'
          ? { data: submission(consent, made.paymentSubmissionId!, made.initiatedAt) }
          : {
              data: {
                id,
                status: 'InProgress',
                createdAt: made.initiatedAt,
                updatedAt: made.initiatedAt,
                recurringPayment: consentAs5(consent).recurringPayment,
              } satisfies RecurringPaymentRequest521,
            },
        201,
      )
    })
    .post('/recurring-payments/:id/funds-confirmation', async (c) => {
      // Official client 6.x, src/requests/recurring-payments.ts confirmFundsForRecurringPayment: scope recurring_payment:funds_confirmation.
      const token = requireClientToken(c, 'recurring_payment:funds_confirmation')
      const consent = mine(token.clientId, c.req.param('id'))
      if (!consent) return c.json(notFound, 404)
      const body = await c.req.json<unknown>().catch(() => undefined)
      fundsAsked.set(consent.id, [...(fundsAsked.get(consent.id) ?? []), body])
      // 6.x's readme: fundsConfirmation { amount: "10.00", currency: "GBP" } (FundsConfirmationRequest: both strings).
      if (!isObject(body) || typeof body.amount !== 'string' || !/^\d+(\.\d{1,2})?$/.test(body.amount) || typeof body.currency !== 'string')
        return c.json({ code: 'BadRequest', message: 'amount must be a decimal string such as "10.00", currency a string' }, 400)
      // Assumption (project): a revoked consent confirms nothing, as it pays nothing.
      if (consent.status === 'Revoked')
        return c.json({ code: 'ConsentRevoked', message: 'the recurring payment consent has been revoked' }, 400)
      const pence = Math.round(Number(body.amount) * 100)
      return c.json({
        data: {
          fundsAvailable: pence <= (balances.get(consent.id) ?? DEFAULT_BALANCE_PENCE),
          fundsAvailableAt: new Date().toISOString(),
          amount: body.amount,
          currency: body.currency,
          recurringPaymentId: consent.id,
        } satisfies FundsConfirmationResponse6,
      })
    })
    .delete('/recurring-payments/:id', (c) => {
      const token = requireClientToken(c, 'recurring_payment:create')
      const consent = mine(token.clientId, c.req.param('id'))
      if (!consent) return c.json(notFound, 404)
      // Assumption (project): revoking a revoked consent succeeds again (the official client reads only the status code).
      if (consent.status !== 'Revoked') revokedAt.set(consent.id, new Date().toISOString())
      consent.status = 'Revoked'
      consent.updatedAt = new Date().toISOString()
      return c.body(null, 204)
    })
}

/** For tests: what the mock did under a consent, and a one-shot fault for its next pay. */
export function recurringPaymentsTestApi() {
  return (
    new Hono()
      .get('/recurring-payments/:id', (c) => {
        const consent = recurringPayments.get(c.req.param('id'))
        if (!consent) return c.json(null, 404)
        return c.json({
          ...consent,
          payments: (paidUnder.get(consent.id) ?? []).map((id) => viewPayment(payments.get(id)!)),
          fundsConfirmations: fundsAsked.get(consent.id) ?? [],
        })
      })
      .post('/recurring-payments/:id/fail-after-paying', (c) => {
        const how = c.req.query('with')
        payFaults.set(
          c.req.param('id'),
          how === 'slow'
            ? { kind: 'slow', delayMs: Number(c.req.query('delay_ms') ?? 3000) }
            : { kind: how === 'gateway_timeout' || how === 'unlisted' || how === 'sparse' ? how : 'server_error' },
        )
        return c.body(null, 204)
      })
      .post('/recurring-payments/:id/fail-before-paying', (c) => {
        payFaults.set(c.req.param('id'), { kind: 'bad_gateway' })
        return c.body(null, 204)
      })
      // Which official version the consent answers in: ?v=5 (5.2.1, the default) or ?v=6 (6.x).
      .post('/recurring-payments/:id/version', (c) => {
        const v = c.req.query('v')
        if (v !== '5' && v !== '6') return c.json({ error: 'v must be 5 or 6' }, 400)
        versions.set(c.req.param('id'), v)
        return c.body(null, 204)
      })
      // The payer's balance, in pence, that funds confirmation compares with.
      .post('/recurring-payments/:id/balance', (c) => {
        balances.set(c.req.param('id'), Number(c.req.query('pence') ?? 0))
        return c.body(null, 204)
      })
  )
}
