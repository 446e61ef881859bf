/**
 * The mock pays. Moneyhub's payment flows ride on the authorisation request
 * (Moneyhub's payments claim page, https://docs.moneyhubenterprise.com/docs/payments-claim); here:
 *  - checkPaymentClaims: the scope and claim shapes Moneyhub documents, checked
 *    at the pushed request / request object (invalid_request otherwise);
 *  - paymentSummary: what the consent page shows (amount, payee, references);
 *  - completeAtExchange: the payment (standing order, VRP consent, refund) is
 *    made when the code is exchanged, never at consent ("If you don't exchange
 *    the auth code for an access token, the payment will never be completed"),
 *    and its id goes into the id_token under the claim's name;
 *  - identityApi: {identity}/payees (payee:create, payee:read) and
 *    {identity}/payments (payment:read), with client-credentials tokens, and the
 *    lists {identity}/payments, /standing-orders, /recurring-payments, /payees,
 *    paged as Moneyhub pages them (listPage).
 * A payment is `inProgress` at its first read and `completed` from the next
 * one on, or `rejected` when its payee is named REJECTED_PAYEE_NAME.
 */
import type { Balance } from '@mft/moneyhub-api-client/dist/schema/balance'
import type { Payee } from '@mft/moneyhub-api-client/dist/schema/payee'
import type { Payment } from '@mft/moneyhub-api-client/dist/schema/payment'
import type { StandingOrder, StandingOrderRequest } from '@mft/moneyhub-api-client/dist/schema/standing-order'
import { Hono, type Context } from 'hono'
import { html } from 'hono/html'
import { requireClientToken } from './clientCredentials'
import { OAuthError } from './oauth'
import { shaped } from './recordShapes'
import { addRecurringPayment, listedConsent, recurringPayments } from './recurringPayments'
import type { AuthParams, Grant } from './state'

/** The scope of each payment flow, and the claim that carries its request (and, in the id_token, the created id). */
export const PAYMENT_FLOWS = {
  payment: 'mh:payment',
  'standing_orders:create': 'mh:standing_order',
  'recurring_payment:create': 'mh:recurring_payment',
  reverse_payment: 'mh:reverse_payment',
} as const
type Flow = keyof typeof PAYMENT_FLOWS

/** Payments to a payee of this name are rejected by the (mock) bank. */
export const REJECTED_PAYEE_NAME = 'Rejected Payee'

const PAYEE_TYPES = ['api-payee', 'mh-user-account']
/** Official client, src/schema/payment.ts PayerType; readme (getPaymentAuthorizeUrl): "Payer type [mh-user-account | api-payer]". */
const PAYER_TYPES = ['api-payer', 'mh-user-account']
/** Readme, getStandingOrderAuthorizeUrl and getRecurringPaymentAuthorizeUrl: "Payer type [mh-user-account]", and no payer member. */
const ACCOUNT_PAYER_TYPES = ['mh-user-account']
/** Moneyhub's payments claim page: "context": ["Other", "BillPayment", "PartyToParty"] (https://docs.moneyhubenterprise.com/docs/payments-claim). */
const CONTEXTS = ['Other', 'BillPayment', 'PartyToParty']

/**
 * A payee as the official client declares it: `Payee` (5.2.1, node_modules/@mft/moneyhub-api-client,
 * dist/schema/payee.d.ts; the same in 6.x, moneyhub/moneyhub-api-client src/schema/payee.ts). addPayee and getPayee
 * answer it in `{data}`, getPayees in a list.
 */
export type MockPayee = Payee

/**
 * A payment as the official client declares it: `Payment` (5.2.1, dist/schema/payment.d.ts; the same in 6.x,
 * moneyhub/moneyhub-api-client src/schema/payment.ts), which getPayment answers in `{data}` and getPayments in a list.
 * Beside it: payerType also `api-payer` (the readme's getPaymentAuthorizeUrl: "Payer type [mh-user-account | api-payer]",
 * which `Payment.payerType` lacks), and the members marked below, Assumption (project).
 */
export type PaymentAnswer = Omit<Payment, 'payerType'> & {
  payerType?: NonNullable<Payment['payerType']> | 'api-payer'
  context?: string
  reversesPaymentId?: string
  userId?: string
  recurringPaymentId?: string
}

export interface MockPayment {
  id: string
  clientId: string
  amount: number
  currency: 'GBP'
  payeeId: string
  payeeType: Payment['payeeType']
  payeeRef: string
  payerRef: string
  payerId?: string
  payerType?: PaymentAnswer['payerType']
  /** Official client, src/schema/payment.ts Payment: payerName, payerEmail. */
  payerName?: string
  payerEmail?: string
  context?: string
  /** Of the declared PaymentStatus, the mock's payments go through these. */
  status: Extract<Payment['status'], 'inProgress' | 'completed' | 'rejected'>
  isReversible: boolean
  initiatedAt: string
  finalisedAt?: string
  /** For a refund: the payment it reverses. */
  reversesPaymentId?: string
  /** The user who paid (the grant's sub): what the list's userId filter matches. Assumption (project): shown on the record. */
  userId?: string
  /** A pay under a VRP consent: the official client 6.x's Payment declares paymentSubmissionId (src/schema/payment.ts). */
  paymentSubmissionId?: string
  /** A pay under a VRP consent: the consent it was made under. Assumption (project): neither client version declares it on Payment. */
  recurringPaymentId?: string
}

/**
 * A standing order made at a code exchange, as the official client declares what getStandingOrder and
 * getStandingOrders answer: `StandingOrderRequest { id, status?, createdAt, updatedAt?, standingOrder }`, the order a
 * `StandingOrder` with its amounts as `Balance` and its frequency the repeat alone (5.2.1, node_modules/@mft/moneyhub-api-client,
 * dist/schema/standing-order.d.ts; the same in 6.x, moneyhub/moneyhub-api-client src/schema/standing-order.ts).
 * Assumption (project): payeeId and userId sit beside it, so the list can be filtered and matched on them.
 * Its status moves as a payment's does (readStandingOrder): InitiationPending, then InitiationCompleted, or
 * InitiationFailed when its payee is named REJECTED_PAYEE_NAME. Assumption (project): the client does not say how.
 */
export type MockStandingOrder = StandingOrderRequest & {
  clientId: string
  status: Extract<StandingOrderRequest['status'], 'InitiationPending' | 'InitiationCompleted' | 'InitiationFailed'>
  updatedAt: string
  payeeId: string
  userId: string
}

/** Everything a code exchange made: what tests count (one per exchanged code, none at consent). */
export interface MadeAtExchange {
  at: number
  flow: Flow
  id: string
  /** The authorisation request's state: ties the object to one flow. */
  state: string
  value: Record<string, unknown>
  /** A refund's own payment record (its mh:payment), beside its reverse payment's id. */
  paymentId?: string
}

export const payees = new Map<string, MockPayee>()
export const payments = new Map<string, MockPayment & { reads: number; rejects: boolean; reversed: number }>()
export const madeAtExchange: MadeAtExchange[] = []
export const standingOrders = new Map<string, MockStandingOrder>()
/** Per standing order: its reads, and whether the (mock) bank fails it. */
const standingOrderProgress = new Map<string, { reads: number; fails: boolean }>()

// ---------------------------------------------------------------------------
// The shapes Moneyhub documents, checked when the request arrives.

type Claims = AuthParams['claims']['id_token']
type Value = Record<string, unknown>

const invalid = (message: string): never => {
  throw new OAuthError('invalid_request', message)
}
const isObject = (v: unknown): v is Value => typeof v === 'object' && v !== null && !Array.isArray(v)
const isPence = (v: unknown) => Number.isSafeInteger(v) && (v as number) > 0
const isDate = (v: unknown) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) && !Number.isNaN(Date.parse(v))
const isReference = (v: unknown) => typeof v === 'string' && v.length >= 1 && v.length <= 18

function onlyMembers(value: Value, allowed: string[], claim: string) {
  const unknown = Object.keys(value).filter((k) => !allowed.includes(k))
  if (unknown.length) invalid(`${claim} has unknown members: ${unknown.join(', ')}`)
}

function oneOf(value: Value, member: string, allowed: string[], claim: string) {
  if (value[member] !== undefined && !allowed.includes(value[member] as string)) {
    invalid(`${claim} ${member} must be one of ${allowed.join(', ')}`)
  }
}

/** An account given in full: payee, or payer (the client's RequestPayee and RequestPayer, src/schema/payee.ts: name, sortCode, accountNumber). */
function checkAccount(account: unknown, what: string) {
  if (!isObject(account)) return invalid(`${what} must be an object`)
  onlyMembers(account, ['name', 'sortCode', 'accountNumber'], what)
  if (typeof account.name !== 'string' || !account.name) invalid(`${what} name is required`)
  if (typeof account.sortCode !== 'string' || !/^\d{6}$/.test(account.sortCode)) invalid(`${what} sortCode must be 6 digits`)
  if (typeof account.accountNumber !== 'string' || !/^\d{8}$/.test(account.accountNumber)) invalid(`${what} accountNumber must be 8 digits`)
}

/** payeeId (a payee of this client) or payee { name, sortCode, accountNumber }, and the optional actors. */
function checkPayee(value: Value, claim: string, clientId: string, payerTypes = PAYER_TYPES) {
  if ((value.payeeId === undefined) === (value.payee === undefined)) invalid(`${claim} needs payeeId or payee`)
  if (value.payeeId !== undefined) {
    const known = typeof value.payeeId === 'string' ? payees.get(value.payeeId) : undefined
    if (known?.clientId !== clientId) invalid(`${claim} payeeId is not a payee of this client`)
  } else {
    checkAccount(value.payee, `${claim} payee`)
  }
  oneOf(value, 'payeeType', PAYEE_TYPES, claim)
  oneOf(value, 'context', CONTEXTS, claim)
  checkPayer(value, claim, payerTypes)
}

/**
 * Who pays. Readme (getPaymentAuthorizeUrl, getReversePaymentAuthorizeUrl): payerType "required only if payerId or
 * payer is used"; payerId "required only if payerType is defined as mh-user-account"; payer "required if using
 * api-payer for payerType".
 */
function checkPayer(value: Value, claim: string, payerTypes: string[]) {
  oneOf(value, 'payerType', payerTypes, claim)
  if (value.payerId !== undefined && typeof value.payerId !== 'string') invalid(`${claim} payerId must be a string`)
  if ((value.payerType === 'mh-user-account') !== (value.payerId !== undefined))
    invalid(`${claim} payerId goes with payerType mh-user-account, and mh-user-account needs payerId`)
  if ((value.payerType === 'api-payer') !== (value.payer !== undefined))
    invalid(`${claim} payerType api-payer needs payer, and payer needs payerType api-payer`)
  if (value.payer !== undefined) checkAccount(value.payer, `${claim} payer`)
}

function checkPayment(value: Value, clientId: string) {
  const claim = 'mh:payment'
  onlyMembers(
    value,
    // Readme, getPaymentAuthorizeUrl's claim, and get-auth-urls.ts (payee, payer, readRefundAccount).
    [
      'amount',
      'payeeRef',
      'payerRef',
      'payeeId',
      'payee',
      'payeeType',
      'payerId',
      'payerType',
      'payer',
      'payerName',
      'payerEmail',
      'context',
      'readRefundAccount',
    ],
    claim,
  )
  if (!isPence(value.amount)) invalid(`${claim} amount must be an integer number of pence above 0`)
  if (!isReference(value.payeeRef)) invalid(`${claim} payeeRef must be 1 to 18 characters`)
  if (!isReference(value.payerRef)) invalid(`${claim} payerRef must be 1 to 18 characters`)
  if (value.readRefundAccount !== undefined && typeof value.readRefundAccount !== 'boolean')
    invalid(`${claim} readRefundAccount must be a boolean`)
  for (const member of ['payerName', 'payerEmail']) {
    if (value[member] !== undefined && (typeof value[member] !== 'string' || !value[member])) invalid(`${claim} ${member} must be a string`)
  }
  checkPayee(value, claim, clientId)
}

function checkStandingOrder(value: Value, clientId: string) {
  const claim = 'mh:standing_order'
  onlyMembers(
    value,
    [
      'payeeId',
      'payee',
      'payeeType',
      'payerId',
      'payerType',
      'context',
      'reference',
      'frequency',
      'numberOfPayments',
      'firstPaymentAmount',
      'recurringPaymentAmount',
      'finalPaymentAmount',
      'currency',
      'firstPaymentDate',
      'recurringPaymentDate',
      'finalPaymentDate',
    ],
    claim,
  )
  checkPayee(value, claim, clientId, ACCOUNT_PAYER_TYPES)
  if (!isReference(value.reference)) invalid(`${claim} reference must be 1 to 18 characters`)
  const frequency = value.frequency
  // Official client, src/schema/standing-order.ts FrequencyRepeat (the readme lists the first three).
  if (!isObject(frequency) || !['Daily', 'Weekly', 'Monthly', 'Quarterly', 'Yearly'].includes(frequency.repeat as string))
    invalid(`${claim} frequency.repeat must be Daily, Weekly, Monthly, Quarterly or Yearly`)
  if (!isPence(value.firstPaymentAmount)) invalid(`${claim} firstPaymentAmount must be an integer number of pence above 0`)
  for (const member of ['recurringPaymentAmount', 'finalPaymentAmount']) {
    if (value[member] !== undefined && !isPence(value[member])) invalid(`${claim} ${member} must be an integer number of pence above 0`)
  }
  if (value.numberOfPayments !== undefined && !isPence(value.numberOfPayments))
    invalid(`${claim} numberOfPayments must be a positive integer`)
  // Readme, getStandingOrderAuthorizeUrl: each "required if" the other "is not specified"; both together are allowed.
  if (value.numberOfPayments === undefined && value.finalPaymentDate === undefined)
    invalid(`${claim} needs numberOfPayments or finalPaymentDate`)
  if (!isDate(value.firstPaymentDate)) invalid(`${claim} firstPaymentDate must be a date`)
  for (const member of ['recurringPaymentDate', 'finalPaymentDate']) {
    if (value[member] !== undefined && !isDate(value[member])) invalid(`${claim} ${member} must be a date`)
  }
  if (value.currency !== undefined && value.currency !== 'GBP') invalid(`${claim} currency must be GBP`)
}

function checkRecurringPayment(value: Value, clientId: string) {
  const claim = 'mh:recurring_payment'
  onlyMembers(
    value,
    [
      'payeeId',
      'payee',
      'payeeType',
      'payerId',
      'payerType',
      'context',
      'reference',
      'validFromDate',
      'validToDate',
      'maximumIndividualAmount',
      'currency',
      'periodicLimits',
      'type',
    ],
    claim,
  )
  checkPayee(value, claim, clientId, ACCOUNT_PAYER_TYPES)
  if (value.reference !== undefined && !isReference(value.reference)) invalid(`${claim} reference must be 1 to 18 characters`)
  if (!isPence(value.maximumIndividualAmount)) invalid(`${claim} maximumIndividualAmount must be an integer number of pence above 0`)
  for (const member of ['validFromDate', 'validToDate']) {
    if (value[member] !== undefined && !isDate(value[member])) invalid(`${claim} ${member} must be a date`)
  }
  if (value.currency !== undefined && value.currency !== 'GBP') invalid(`${claim} currency must be GBP`)
  const limits = value.periodicLimits
  if (!Array.isArray(limits) || !limits.length) invalid(`${claim} periodicLimits must be a non-empty array`)
  for (const limit of limits as unknown[]) {
    if (
      !isObject(limit) ||
      !isPence(limit.amount) ||
      !['Day', 'Week', 'Fortnight', 'Month', 'Half-year', 'Year'].includes(limit.periodType as string) ||
      !['Consent', 'Calendar'].includes(limit.periodAlignment as string)
    ) {
      invalid(`${claim} each periodic limit needs amount (pence), periodType and periodAlignment`)
    }
  }
  // Optional: get-auth-urls.ts getRecurringPaymentAuthorizeUrl takes `type?: string` and passes it on; the readme and
  // src/schema/payment.ts (RecurringPaymentType[]) show an array of Sweeping and Other. Either is taken.
  const types = value.type
  const isType = (t: unknown) => t === 'Sweeping' || t === 'Other'
  if (types !== undefined && !isType(types) && !(Array.isArray(types) && types.length && types.every(isType)))
    invalid(`${claim} type must be Sweeping, Other, or a non-empty array of them`)
}

function checkReversePayment(value: Value, claims: Claims, clientId: string) {
  const claim = 'mh:reverse_payment'
  // Official client, get-auth-urls.ts getReversePaymentAuthorizeUrl: paymentId, amount, payerId, payerType, payer.
  onlyMembers(value, ['paymentId', 'amount', 'payerId', 'payerType', 'payer'], claim)
  const payment = typeof value.paymentId === 'string' ? payments.get(value.paymentId) : undefined
  if (payment?.clientId !== clientId) return invalid(`${claim} paymentId is not a payment of this client`)
  // The official client's readme (getReversePaymentAuthorizeUrl): "a reverse payment for a payment that is reversible";
  // its `Payment` type (src/schema/payment.ts) carries `isReversible`: the record decides.
  if (!reversible(payment)) invalid(`${claim} the payment cannot be reversed`)
  if (value.amount !== undefined && !isPence(value.amount)) invalid(`${claim} amount must be an integer number of pence above 0`)
  // Assumption (project): Moneyhub refuses a refund above what is left of the payment (undocumented).
  if (((value.amount as number | undefined) ?? payment.amount - payment.reversed) > payment.amount - payment.reversed)
    invalid(`${claim} amount is more than is left to reverse`)
  checkPayer(value, claim, PAYER_TYPES)
  const paid = claims['mh:payment']
  if (!paid?.essential || paid.value !== undefined) invalid('reverse_payment needs mh:payment essential, without a value')
}

/** The payment flow the scope names (at most one), with its claim checked; nothing for a connection. */
export function checkPaymentClaims(clientId: string, scopes: string[], claims: Claims) {
  const flows = scopes.filter((s): s is Flow => s in PAYMENT_FLOWS)
  if (flows.length > 1) throw new OAuthError('invalid_scope', 'at most one payment flow per request')
  const flow = flows[0]
  for (const [scope, claim] of Object.entries(PAYMENT_FLOWS)) {
    if (claims[claim] && scope !== flow && !(flow === 'reverse_payment' && claim === 'mh:payment'))
      invalid(`${claim} needs the scope ${scope}`)
  }
  if (!flow) return
  const claim = PAYMENT_FLOWS[flow]
  const requested = claims[claim]
  if (!requested?.essential || !isObject(requested.value)) return invalid(`${flow} needs ${claim} essential, with a value`)
  if (flow === 'payment') checkPayment(requested.value, clientId)
  if (flow === 'standing_orders:create') checkStandingOrder(requested.value, clientId)
  if (flow === 'recurring_payment:create') checkRecurringPayment(requested.value, clientId)
  if (flow === 'reverse_payment') checkReversePayment(requested.value, claims, clientId)
}

// ---------------------------------------------------------------------------
// The consent page.

export const pounds = (pence: number) => `£${Math.floor(pence / 100)}.${String(pence % 100).padStart(2, '0')}`

function payeeLine(value: Value) {
  const inline = value.payee as { name: string; sortCode: string; accountNumber: string } | undefined
  const payee = inline ?? payees.get(value.payeeId as string)
  if (!payee) return html`payee <code>${String(value.payeeId)}</code>`
  const sortCode = payee.sortCode.replace(/^(\d\d)(\d\d)(\d\d)$/, '$1-$2-$3')
  return html`<span id="payee">${payee.name}</span>, sort code ${sortCode}, account ${payee.accountNumber}`
}

/** What the user is asked to approve, for a payment flow; nothing for a connection. */
type Limit = { amount: number; periodType: string; periodAlignment: 'Consent' | 'Calendar' }
/**
 * Every periodic limit the user agrees to, in words: "and no more than £5.00 per calendar month." A Consent-aligned
 * period counts from the consent's start, as recurringPayments.ts counts it (Open Banking VRP control parameters).
 */
const limitsLine = (limits: Limit[]) =>
  `and no more than ${limits
    .map(({ amount, periodType, periodAlignment }) =>
      periodAlignment === 'Calendar'
        ? `${pounds(amount)} per calendar ${periodType.toLowerCase()}`
        : `${pounds(amount)} per ${periodType.toLowerCase()}, counted from the day you approve`,
    )
    .join(', and ')}.`

export function paymentSummary(params: AuthParams) {
  const flow = params.scope.split(' ').find((s): s is Flow => s in PAYMENT_FLOWS)
  if (!flow) return ''
  const value = (params.claims.id_token[PAYMENT_FLOWS[flow]]?.value ?? {}) as Value
  if (flow === 'payment') {
    return html`<section id="payment">
      <p>Pay <strong id="amount">${pounds(value.amount as number)}</strong> to ${payeeLine(value)}.</p>
      <p>
        Reference for the payee: <code id="payee-ref">${String(value.payeeRef)}</code>; on your statement:
        <code id="payer-ref">${String(value.payerRef)}</code>.
      </p>
    </section>`
  }
  if (flow === 'standing_orders:create') {
    const frequency = value.frequency as { repeat: string }
    return html`<section id="payment">
      <p>
        Set up a ${frequency.repeat.toLowerCase()} standing order to ${payeeLine(value)}: first payment
        <strong id="amount">${pounds(value.firstPaymentAmount as number)}</strong> on ${String(value.firstPaymentDate)}.
      </p>
      <p>Reference: <code id="payee-ref">${String(value.reference)}</code>.</p>
    </section>`
  }
  if (flow === 'recurring_payment:create') {
    return html`<section id="payment">
      <p>
        Allow payments to ${payeeLine(value)} of up to <strong id="amount">${pounds(value.maximumIndividualAmount as number)}</strong> each,
        <span id="limits">${limitsLine(value.periodicLimits as Limit[])}</span>
      </p>
      ${value.reference ? html`<p>Reference: <code id="payee-ref">${String(value.reference)}</code>.</p>` : ''}
    </section>`
  }
  const payment = payments.get(value.paymentId as string)
  return html`<section id="payment">
    <p>
      Refund <strong id="amount">${pounds((value.amount as number | undefined) ?? payment?.amount ?? 0)}</strong> of payment
      <code>${String(value.paymentId)}</code>${payment ? html` (reference <code id="payee-ref">${payment.payeeRef}</code>)` : ''}.
    </p>
  </section>`
}

// ---------------------------------------------------------------------------
// The code exchange makes the object.

/** Now, or as a server whose clock is `skewMs` off would stamp it (the clock_*_after_payment faults). */
const iso = (skewMs = 0) => new Date(Date.now() + skewMs).toISOString()
/** The clock faults (faults.ts): how far off this grant's records are stamped. */
const skewOf = (grant: Grant) =>
  grant.fault === 'clock_behind_after_payment'
    ? -(grant.delayMs ?? 180_000)
    : grant.fault === 'clock_ahead_after_payment'
      ? (grant.delayMs ?? 180_000)
      : 0

function payeeFor(value: Value, clientId: string): MockPayee {
  if (typeof value.payeeId === 'string') return payees.get(value.payeeId)!
  const { name, sortCode, accountNumber } = value.payee as { name: string; sortCode: string; accountNumber: string }
  return addPayee(clientId, { name, sortCode, accountNumber })
}

export function addPayment(payment: Omit<MockPayment, 'id' | 'status' | 'initiatedAt' | 'currency'>, rejects: boolean, skewMs = 0) {
  const id = crypto.randomUUID()
  payments.set(id, { ...payment, id, currency: 'GBP', status: 'inProgress', initiatedAt: iso(skewMs), reads: 0, rejects, reversed: 0 })
  return id
}

/**
 * An amount in pence as the official client's `Balance` (dist/schema/balance.d.ts: `{ amount: Amount, date }`).
 * Assumption (project): `value` in minor units (pence), as Moneyhub's data API shows balances; majorUnits the pounds
 * and minorUnits the pence beside them.
 */
const balance = (pence: number, date: string): Balance => ({
  amount: { value: pence, majorUnits: Math.floor(pence / 100), minorUnits: pence % 100, currency: 'GBP' },
  date,
})

/** The claim's terms (mh:standing_order, amounts in pence) as the declared `StandingOrder`; the claim's day, week and month of the frequency are not in it. */
function standingOrderOf(id: string, value: Value): StandingOrder {
  const first = value.firstPaymentDate as string
  const next = (value.recurringPaymentDate as string | undefined) ?? first
  const final = value.finalPaymentDate as string | undefined
  return {
    id,
    reference: value.reference as string,
    frequency: (value.frequency as { repeat: StandingOrder['frequency'] }).repeat,
    ...(value.numberOfPayments !== undefined ? { numberOfPayments: value.numberOfPayments as number } : {}),
    firstPaymentDate: first,
    firstPaymentAmount: balance(value.firstPaymentAmount as number, first),
    ...(value.recurringPaymentDate !== undefined ? { nextPaymentDate: next } : {}),
    ...(value.recurringPaymentAmount !== undefined ? { nextPaymentAmount: balance(value.recurringPaymentAmount as number, next) } : {}),
    ...(final !== undefined ? { finalPaymentDate: final } : {}),
    ...(value.finalPaymentAmount !== undefined ? { finalPaymentAmount: balance(value.finalPaymentAmount as number, final ?? next) } : {}),
    currency: (value.currency as string | undefined) ?? 'GBP',
  }
}

/** A standing order as Moneyhub shows it; a read after the first one finishes a pending one (as readPayment does). */
function readStandingOrder(id: string) {
  const stored = standingOrders.get(id)
  const progress = standingOrderProgress.get(id)
  if (!stored || !progress) return stored
  progress.reads += 1
  if (stored.status === 'InitiationPending' && progress.reads > 1) {
    stored.status = progress.fails ? 'InitiationFailed' : 'InitiationCompleted'
    stored.updatedAt = iso()
  }
  return stored
}

/** At a successful code exchange: makes what the grant's payment flow asked for; the id_token claims that name it. */
export function completeAtExchange(grant: Grant): Record<string, string> {
  const scopes = grant.params.scope.split(' ')
  const flow = scopes.find((s): s is Flow => s in PAYMENT_FLOWS)
  if (!flow) return {}
  const clientId = grant.params.client_id
  const claim = PAYMENT_FLOWS[flow]
  const value = grant.params.claims.id_token[claim]!.value as Value
  const made: Record<string, string> = {}
  const skewMs = skewOf(grant)
  if (flow === 'payment') {
    const payee = payeeFor(value, clientId)
    made[claim] = addPayment(
      {
        clientId,
        amount: value.amount as number,
        payeeId: payee.id,
        payeeType: (value.payeeType as Payment['payeeType'] | undefined) ?? 'api-payee',
        payeeRef: value.payeeRef as string,
        payerRef: value.payerRef as string,
        ...(value.payerId ? { payerId: value.payerId as string } : {}),
        ...(value.payerType ? { payerType: value.payerType as PaymentAnswer['payerType'] } : {}),
        ...(value.payerName ? { payerName: value.payerName as string } : {}),
        ...(value.payerEmail ? { payerEmail: value.payerEmail as string } : {}),
        ...(value.context ? { context: value.context as string } : {}),
        isReversible: Boolean(value.readRefundAccount),
        userId: grant.sub,
      },
      payee.name === REJECTED_PAYEE_NAME,
      skewMs,
    )
  } else if (flow === 'reverse_payment') {
    const original = payments.get(value.paymentId as string)!
    const amount = (value.amount as number | undefined) ?? original.amount - original.reversed
    original.reversed += amount
    made[claim] = crypto.randomUUID()
    made['mh:payment'] = addPayment(
      {
        clientId,
        amount,
        payeeId: original.payerId ?? 'refund-account',
        payeeType: 'mh-user-account',
        payeeRef: original.payerRef,
        payerRef: original.payeeRef,
        isReversible: false,
        reversesPaymentId: original.id,
        userId: grant.sub,
      },
      false,
      skewMs,
    )
  } else {
    const payee = payeeFor(value, clientId)
    const id = crypto.randomUUID()
    made[claim] = id
    const at = iso(skewMs)
    const record = { id, clientId, createdAt: at, updatedAt: at, payeeId: payee.id, userId: grant.sub }
    if (flow === 'standing_orders:create') {
      standingOrders.set(id, { ...record, status: 'InitiationPending', standingOrder: standingOrderOf(id, value) })
      standingOrderProgress.set(id, { reads: 0, fails: payee.name === REJECTED_PAYEE_NAME })
    }
    // One store of VRP consents, which paying, revoking and reading act on (recurringPayments.ts).
    else addRecurringPayment(id, clientId, payee.id, value, grant.sub)
  }
  const own = flow === 'reverse_payment' ? made['mh:payment'] : undefined
  madeAtExchange.push({ at: Date.now(), flow, id: made[claim]!, state: grant.params.state, value, ...(own ? { paymentId: own } : {}) })
  if (madeAtExchange.length > 5000) madeAtExchange.splice(0, madeAtExchange.length - 5000)
  return made
}

// ---------------------------------------------------------------------------
// {identity}/payees and {identity}/payments.

function addPayee(
  clientId: string,
  fields: { name: string; sortCode: string; accountNumber: string; externalId?: string; userId?: string },
) {
  const at = iso()
  const payee: MockPayee = { id: crypto.randomUUID(), clientId, ...fields, active: true, createdAt: at, modifiedAt: at }
  payees.set(payee.id, payee)
  return payee
}

/**
 * `isReversible` as Moneyhub's record shows it. The official client's `Payment` type (src/schema/payment.ts) has it,
 * and its payment claims take `readRefundAccount` (src/schema/payment.ts, PaymentsClaims), which asks the bank for the
 * payer's account, what a refund pays back to (Moneyhub's "Payment Refunds" page, https://docs.moneyhubenterprise.com/docs/reverse-payments).
 * Assumption (project): true once such a payment has completed and until it is fully reversed; a refund is never reversible.
 */
function reversible(payment: MockPayment & { reversed: number }): boolean {
  return payment.isReversible && payment.status === 'completed' && !payment.reversesPaymentId && payment.reversed < payment.amount
}

/** A payment as Moneyhub shows it; a read after the first one finishes an inProgress payment. */
function readPayment(id: string) {
  const stored = payments.get(id)
  if (!stored) return undefined
  stored.reads += 1
  if (stored.status === 'inProgress' && stored.reads > 1) {
    stored.status = stored.rejects ? 'rejected' : 'completed'
    stored.finalisedAt = iso()
  }
  return stored
}

export const viewPayment = ({
  reads: _r,
  rejects: _j,
  reversed: _v,
  clientId: _c,
  ...payment
}: MockPayment & { reads: number; rejects: boolean; reversed: number }) =>
  ({
    ...payment,
    // Payment.charges is declared, not optional. Assumption (project): the mock's payments carry no charges.
    charges: [],
    isReversible: reversible({ ...payment, clientId: _c, reversed: _v }),
  }) satisfies PaymentAnswer

// ---------------------------------------------------------------------------
// Moneyhub's lists: paging and filters.

/** Moneyhub's identity docs ("GET /payees", "GET /payments", moneyhub/api-docs source/identity-docs.md): limit "Default: 10", offset "Default: 0". */
export const DEFAULT_LIMIT = 10

/** A list's filters, each a test of one item against the query's value. */
type Filters<T> = Record<string, (item: T, value: string) => boolean>

/** An ISO date (2020-01-01, the official client's readme, getPayments) or date-time. */
const isQueryDate = (v: string) => /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(v) && !Number.isNaN(Date.parse(v))
/** Assumption (project): a date-only endDate takes in that whole day (UTC). */
const endOfDay = (v: string) => (/^\d{4}-\d{2}-\d{2}$/.test(v) ? Date.parse(v) + 86_400_000 - 1 : Date.parse(v))

/** The date filters of a list, on the date each item was made (`at`). Official client's readme (getPayments, getStandingOrders, getRecurringPayments): startDate, endDate. */
const dateFilters = <T>(at: (item: T) => string): Filters<T> => ({
  startDate: (item, value) => Date.parse(at(item)) >= Date.parse(value),
  endDate: (item, value) => Date.parse(at(item)) <= endOfDay(value),
})

/**
 * One page of a list, as Moneyhub answers its lists: `{ data, links, meta }`
 * (official client, src/request.ts, ApiResponse and Links { self, next?, prev? }:
 * absolute URLs, as src/__tests__/discovery.ts shows `…/accounts?offset=10`).
 * meta carries limit and offset (identity docs, "GET /payments" example); meta.total
 * is an Assumption (project): the count of every matching item, so that a caller
 * knows there are more pages. Newest first: Assumption (project).
 * Query members other than limit, offset and the list's filters are refused:
 * Assumption (project), strict so that the proxy's tests catch a filter Moneyhub lacks.
 */
function listPage<T>(url: string, query: Record<string, string>, items: T[], filters: Filters<T>) {
  const problem = (message: string) => ({ error: { code: 'BadRequest', message } }) as const
  const unknown = Object.keys(query).filter((k) => k !== 'limit' && k !== 'offset' && !(k in filters))
  if (unknown.length) return problem(`unknown query members: ${unknown.join(', ')}`)
  const limit = query.limit === undefined ? DEFAULT_LIMIT : Number(query.limit)
  const offset = query.offset === undefined ? 0 : Number(query.offset)
  // Assumption (project): limit is 1 to 1000 and offset at least 0, whole numbers; Moneyhub does not say what it refuses.
  if (!/^\d+$/.test(query.limit ?? '10') || limit < 1 || limit > 1000) return problem('limit must be a whole number from 1 to 1000')
  if (!/^\d+$/.test(query.offset ?? '0')) return problem('offset must be a whole number, 0 or more')
  for (const name of ['startDate', 'endDate']) {
    if (query[name] !== undefined && !isQueryDate(query[name])) return problem(`${name} must be an ISO date`)
  }
  const matching = items.filter((item) =>
    Object.entries(filters).every(([name, test]) => query[name] === undefined || test(item, query[name])),
  )
  matching.reverse()
  const at = (o: number) => {
    const link = new URL(url)
    link.searchParams.set('limit', String(limit))
    link.searchParams.set('offset', String(o))
    return link.href
  }
  const links: { self: string; next?: string; prev?: string } = { self: url }
  if (offset + limit < matching.length) links.next = at(offset + limit)
  if (offset > 0) links.prev = at(Math.max(0, offset - limit))
  return { page: { data: matching.slice(offset, offset + limit), links, meta: { limit, offset, total: matching.length } } }
}

const withoutClient = <T extends { clientId: string }>({ clientId: _c, ...item }: T) => item
const viewStandingOrder = (order: MockStandingOrder) => withoutClient(order) satisfies StandingOrderRequest
/** Readme, getStandingOrders and getRecurringPayments: userId, payeeId (with startDate, endDate). */
const byUserAndPayee: Filters<{ userId?: string; payeeId: string }> = {
  userId: (item, v) => item.userId === v,
  payeeId: (item, v) => item.payeeId === v,
}

function list<T>(c: Context, items: T[], filters: Filters<T>, afterPage?: () => void, unreadable = false) {
  const answer = listPage(c.req.url, c.req.query(), items, filters)
  if ('error' in answer) return c.json(answer.error, 400)
  afterPage?.()
  if (unreadable) return c.json({ meta: answer.page.meta }) // for tests (paymentsTestApi): a page that is no list
  return c.json(answer.page)
}

// ---------------------------------------------------------------------------
// For tests: lists that are long, or that shift while they are read. Assumption (project): test devices.

/** Payments that match nothing a test asks for (amount 1, reference FILLER), made now for `userId`. */
function addFillers(clientId: string, userId: string, count: number) {
  for (let i = 0; i < count; i++)
    addPayment(
      {
        clientId,
        amount: 1,
        payeeId: 'filler',
        payeeType: 'api-payee',
        payeeRef: 'FILLER',
        payerRef: 'FILLER',
        isReversible: false,
        userId,
      },
      false,
    )
}

/** Per user: how many more reads of the payments list (filtered by that user, or by none) add one new payment after answering. */
const shifting = new Map<string, { clientId: string; left: number }>()

function shiftAfterRead(clientId: string, userFilter: string | undefined) {
  for (const [userId, shift] of shifting) {
    if (shift.clientId !== clientId || (userFilter !== undefined && userFilter !== userId) || shift.left <= 0) continue
    shift.left--
    addFillers(clientId, userId, 1)
  }
}

/** Payees whose payments list answers a page that is no list (`{ meta }` without `data`): a reader must not take it for an empty one. */
const unreadableFor = new Set<string>()

export function paymentsTestApi() {
  return (
    new Hono()
      // ?payeeId: GET /payments?payeeId=<it> answers without `data` from now on.
      .post('/payments/unreadable', (c) => {
        unreadableFor.add(c.req.query('payeeId') ?? '')
        return c.body(null, 204)
      })
      // ?clientId&userId&count: that many filler payments, newest now.
      .post('/payments/fillers', (c) => {
        addFillers(c.req.query('clientId') ?? '', c.req.query('userId') ?? '', Number(c.req.query('count') ?? 1))
        return c.body(null, 204)
      })
      // ?clientId&userId: the fillers gone again (a long list for one test only).
      .delete('/payments/fillers', (c) => {
        for (const [id, p] of payments)
          if (p.clientId === c.req.query('clientId') && p.userId === c.req.query('userId') && p.payeeRef === 'FILLER') payments.delete(id)
        return c.body(null, 204)
      })
      // ?clientId&userId&reads: the next `reads` page reads of the payments list each add a newer payment after answering.
      .post('/payments/shift', (c) => {
        shifting.set(c.req.query('userId') ?? '', { clientId: c.req.query('clientId') ?? '', left: Number(c.req.query('reads') ?? 1) })
        return c.body(null, 204)
      })
  )
}

/**
 * Moneyhub's own APIs at the identity server's base ({identity}: the issuer without /oidc). The lists: the official
 * client's src/requests/*.ts name the path and scope of each (getPayees, getPayments, getStandingOrders,
 * getRecurringPayments); the filters are its readme's and src/schema types' search params.
 */
export function identityApi() {
  return new Hono()
    .onError((error, c) => {
      if (error instanceof OAuthError) return c.json({ error: error.error, error_description: error.description }, error.status)
      console.error(error)
      return c.json({ code: 'InternalError', message: 'mock failure' }, 500)
    })
    .post('/payees', async (c) => {
      const token = requireClientToken(c, 'payee:create')
      const body = await c.req.json<Value>().catch(() => undefined)
      const problem = (message: string) => c.json({ code: 'BadRequest', message }, 400)
      if (!isObject(body)) return problem('the body must be a JSON object')
      const unknown = Object.keys(body).filter((k) => !['name', 'sortCode', 'accountNumber', 'externalId', 'userId'].includes(k))
      if (unknown.length) return problem(`unknown members: ${unknown.join(', ')}`)
      if (typeof body.name !== 'string' || !body.name) return problem('name is required')
      if (typeof body.sortCode !== 'string' || !/^\d{6}$/.test(body.sortCode)) return problem('sortCode must be 6 digits')
      if (typeof body.accountNumber !== 'string' || !/^\d{8}$/.test(body.accountNumber)) return problem('accountNumber must be 8 digits')
      for (const member of ['externalId', 'userId']) {
        if (body[member] !== undefined && typeof body[member] !== 'string') return problem(`${member} must be a string`)
      }
      const payee = addPayee(token.clientId, body as Parameters<typeof addPayee>[1])
      return c.json(shaped(payee satisfies Payee, 'data', payee.externalId, payee.id), 201)
    })
    .get('/payees', (c) => {
      const token = requireClientToken(c, 'payee:read')
      const mine = [...payees.values()].filter((p) => p.clientId === token.clientId)
      // src/schema/payee.ts, PayeesSearchParams: userId, hasUserId.
      return list(c, mine, {
        userId: (p, v) => p.userId === v,
        hasUserId: (p, v) => (p.userId !== undefined) === (v === 'true'),
      })
    })
    .get('/payees/:id', (c) => {
      const token = requireClientToken(c, 'payee:read')
      const payee = payees.get(c.req.param('id'))
      if (payee?.clientId !== token.clientId) return c.json({ code: 'NotFound', message: 'no such payee' }, 404)
      return c.json(shaped(payee satisfies Payee, 'data', payee.id, payee.externalId))
    })
    .get('/payments', (c) => {
      const token = requireClientToken(c, 'payment:read')
      const mine = [...payments.values()].filter((p) => p.clientId === token.clientId)
      // src/schema/payment.ts, PaymentSearchParams: userId, payeeId, startDate, endDate.
      return list(
        c,
        mine.map(viewPayment),
        {
          userId: (p, v) => p.userId === v,
          payeeId: (p, v) => p.payeeId === v,
          ...dateFilters((p) => p.initiatedAt),
        },
        () => shiftAfterRead(token.clientId, c.req.query('userId')),
        unreadableFor.has(c.req.query('payeeId') ?? ''),
      )
    })
    .get('/standing-orders', (c) => {
      // src/requests/standing-orders.ts, getStandingOrders: scope payment:read (standing_orders:read is the data API's, for an account's).
      const token = requireClientToken(c, 'payment:read')
      return list(c, [...standingOrders.values()].filter((s) => s.clientId === token.clientId).map(viewStandingOrder), {
        ...byUserAndPayee,
        ...dateFilters((s) => s.createdAt),
      })
    })
    .get('/standing-orders/:id', (c) => {
      // src/requests/standing-orders.ts, getStandingOrder: scope payment:read, ApiResponse<StandingOrderRequest>.
      const token = requireClientToken(c, 'payment:read')
      const id = c.req.param('id')
      if (standingOrders.get(id)?.clientId !== token.clientId) return c.json({ code: 'NotFound', message: 'no such standing order' }, 404)
      return c.json(shaped(viewStandingOrder(readStandingOrder(id)!), 'data', id))
    })
    .get('/recurring-payments', (c) => {
      // src/requests/recurring-payments.ts, getRecurringPayments: scope recurring_payment:read.
      const token = requireClientToken(c, 'recurring_payment:read')
      return list(c, [...recurringPayments.values()].filter((r) => r.clientId === token.clientId).map(listedConsent), {
        ...byUserAndPayee,
        ...dateFilters((r) => ('createdAt' in r ? r.createdAt : r.submittedAt)),
      })
    })
    .get('/payments/:id', (c) => {
      const token = requireClientToken(c, 'payment:read')
      const id = c.req.param('id')
      if (payments.get(id)?.clientId !== token.clientId) return c.json({ code: 'NotFound', message: 'no such payment' }, 404)
      return c.json(shaped(viewPayment(readPayment(id)!), 'data', id))
    })
}
