/**
 * The mock's VRP consents in use, at the identity server's base ({identity}),
 * with client-credentials tokens, as the official client
 * (`@mft/moneyhub-api-client`, src/requests/recurring-payments.ts) calls them:
 *
 *   GET    /recurring-payments/:id      getRecurringPayment     recurring_payment:read
 *   POST   /recurring-payments/:id/pay  makeRecurringPayment    recurring_payment:create   body { payeeId?, amount, payeeRef, payerRef }
 *   DELETE /recurring-payments/:id      revokeRecurringPayment  recurring_payment:create
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
import { Hono } from 'hono'
import { requireClientToken } from './clientCredentials'
import { OAuthError } from './oauth'
import { addPayment, payees, payments, viewPayment } from './payments'

/** The official client's RecurringPaymentStatus (src/schema/payment.ts): InProgress, AwaitingAuthorisation, Rejected, Authorised, Revoked, Expired. */
type ConsentStatus = 'Authorised' | 'Revoked'

interface PeriodicLimit {
  amount: number
  currency?: string
  periodType: 'Day' | 'Week' | 'Fortnight' | 'Month' | 'Half-year' | 'Year'
  periodAlignment: 'Consent' | 'Calendar'
}

/** The official client's RecurringPaymentRequest (src/schema/payment.ts): id, status, createdAt, updatedAt, recurringPayment. */
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

export const recurringPayments = new Map<string, MockRecurringPayment>()
/** The payments made under each consent (ids into payments.ts's map). */
const paidUnder = new Map<string, string[]>()
/** For tests: a consent whose next pay makes the payment and then answers 500 (the outcome unknown to the caller). */
/** A one-shot fault per consent: its next pay is made, then answered as a failure (a 500, or a gateway's bare 408). */
const failAfterPaying = new Map<string, 'server_error' | 'gateway_timeout'>()

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

const view = ({ clientId: _c, ...consent }: MockRecurringPayment) => consent

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
      return consent ? c.json({ data: view(consent) }) : c.json(notFound, 404)
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
      const id = addPayment(
        {
          clientId: token.clientId,
          amount: body.amount as number,
          payeeId: (body.payeeId as string | undefined) ?? consent.payeeId,
          payeeType: 'api-payee',
          payeeRef: body.payeeRef as string,
          payerRef: body.payerRef as string,
          isReversible: false,
        },
        false,
      )
      paidUnder.set(consent.id, [...(paidUnder.get(consent.id) ?? []), id])
      const fault = failAfterPaying.get(consent.id)
      failAfterPaying.delete(consent.id)
      if (fault === 'server_error') return c.json({ code: 'InternalError', message: 'mock failure after paying' }, 500)
      // Assumption (project): a gateway in front of the API times out after the work is done, with no Moneyhub error body.
      if (fault === 'gateway_timeout') return c.text('Request Timeout', 408)
      // Assumption (project): the answer is the payment made, as GET /payments/:id shows it (Moneyhub does not document it).
      return c.json({ data: { ...viewPayment(payments.get(id)!), recurringPaymentId: consent.id } }, 201)
    })
    .delete('/recurring-payments/:id', (c) => {
      const token = requireClientToken(c, 'recurring_payment:create')
      const consent = mine(token.clientId, c.req.param('id'))
      if (!consent) return c.json(notFound, 404)
      // Assumption (project): revoking a revoked consent succeeds again (the official client reads only the status code).
      consent.status = 'Revoked'
      consent.updatedAt = new Date().toISOString()
      return c.body(null, 204)
    })
}

/** For tests: what the mock did under a consent, and a one-shot fault for its next pay. */
export function recurringPaymentsTestApi() {
  return new Hono()
    .get('/recurring-payments/:id', (c) => {
      const consent = recurringPayments.get(c.req.param('id'))
      if (!consent) return c.json(null, 404)
      return c.json({ ...consent, payments: (paidUnder.get(consent.id) ?? []).map((id) => viewPayment(payments.get(id)!)) })
    })
    .post('/recurring-payments/:id/fail-after-paying', (c) => {
      failAfterPaying.set(c.req.param('id'), c.req.query('with') === 'gateway_timeout' ? 'gateway_timeout' : 'server_error')
      return c.body(null, 204)
    })
}
