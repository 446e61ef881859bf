/**
 * The mock pays. Moneyhub's payment flows ride on the authorisation request
 * (MONEYHUB-NOTES.md, "Payments"); here:
 *  - checkPaymentClaims: the scope and claim shapes Moneyhub documents, checked
 *    at the pushed request / request object (invalid_request otherwise);
 *  - paymentSummary: what the consent page shows (amount, payee, references);
 *  - completeAtExchange: the payment (standing order, VRP consent, refund) is
 *    made when the code is exchanged, never at consent ("If you don't exchange
 *    the auth code for an access token, the payment will never be completed"),
 *    and its id goes into the id_token under the claim's name;
 *  - identityApi: {identity}/payees (payee:create, payee:read) and
 *    {identity}/payments (payment:read), with client-credentials tokens.
 * A payment is `inProgress` at its first read and `completed` from the next
 * one on, or `rejected` when its payee is named REJECTED_PAYEE_NAME.
 */
import { Hono } from 'hono'
import { html } from 'hono/html'
import { requireClientToken } from './clientCredentials'
import { OAuthError } from './oauth'
import { addRecurringPayment } from './recurringPayments'
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
const PAYER_TYPES = ['api-payer', 'mh-user-account']
const CONTEXTS = ['BillPayment', 'EcommerceGoods', 'EcommerceServices', 'Other', 'PartyToParty']

export interface MockPayee {
  id: string
  clientId: string
  name: string
  sortCode: string
  accountNumber: string
  externalId?: string
  userId?: string
  active: boolean
  createdAt: string
  modifiedAt: string
}

export interface MockPayment {
  id: string
  clientId: string
  amount: number
  currency: 'GBP'
  payeeId: string
  payeeType: string
  payeeRef: string
  payerRef: string
  payerId?: string
  payerType?: string
  context?: string
  status: 'inProgress' | 'completed' | 'rejected'
  isReversible: boolean
  initiatedAt: string
  finalisedAt?: string
  /** For a refund: the payment it reverses. */
  reversesPaymentId?: string
}

/** Everything a code exchange made: what tests count (one per exchanged code, none at consent). */
export interface MadeAtExchange {
  at: number
  flow: Flow
  id: string
  /** The authorisation request's state: ties the object to one flow. */
  state: string
  value: Record<string, unknown>
}

export const payees = new Map<string, MockPayee>()
export const payments = new Map<string, MockPayment & { reads: number; rejects: boolean; reversed: number }>()
export const madeAtExchange: MadeAtExchange[] = []

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

/** payeeId (a payee of this client) or payee { name, sortCode, accountNumber }, and the optional actors. */
function checkPayee(value: Value, claim: string, clientId: string) {
  if ((value.payeeId === undefined) === (value.payee === undefined)) invalid(`${claim} needs payeeId or payee`)
  if (value.payeeId !== undefined) {
    const known = typeof value.payeeId === 'string' ? payees.get(value.payeeId) : undefined
    if (known?.clientId !== clientId) invalid(`${claim} payeeId is not a payee of this client`)
  } else {
    const payee = value.payee
    if (!isObject(payee)) return invalid(`${claim} payee must be an object`)
    onlyMembers(payee, ['name', 'sortCode', 'accountNumber'], `${claim} payee`)
    if (typeof payee.name !== 'string' || !payee.name) invalid(`${claim} payee name is required`)
    if (typeof payee.sortCode !== 'string' || !/^\d{6}$/.test(payee.sortCode)) invalid(`${claim} payee sortCode must be 6 digits`)
    if (typeof payee.accountNumber !== 'string' || !/^\d{8}$/.test(payee.accountNumber))
      invalid(`${claim} payee accountNumber must be 8 digits`)
  }
  oneOf(value, 'payeeType', PAYEE_TYPES, claim)
  oneOf(value, 'payerType', PAYER_TYPES, claim)
  oneOf(value, 'context', CONTEXTS, claim)
  if (value.payerId !== undefined && typeof value.payerId !== 'string') invalid(`${claim} payerId must be a string`)
}

function checkPayment(value: Value, clientId: string) {
  const claim = 'mh:payment'
  onlyMembers(
    value,
    ['amount', 'payeeRef', 'payerRef', 'payeeId', 'payee', 'payeeType', 'payerId', 'payerType', 'context', 'readRefundAccount'],
    claim,
  )
  if (!isPence(value.amount)) invalid(`${claim} amount must be an integer number of pence above 0`)
  if (!isReference(value.payeeRef)) invalid(`${claim} payeeRef must be 1 to 18 characters`)
  if (!isReference(value.payerRef)) invalid(`${claim} payerRef must be 1 to 18 characters`)
  if (value.readRefundAccount !== undefined && typeof value.readRefundAccount !== 'boolean')
    invalid(`${claim} readRefundAccount must be a boolean`)
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
  checkPayee(value, claim, clientId)
  if (!isReference(value.reference)) invalid(`${claim} reference must be 1 to 18 characters`)
  const frequency = value.frequency
  if (!isObject(frequency) || !['Daily', 'Weekly', 'Monthly'].includes(frequency.repeat as string))
    invalid(`${claim} frequency.repeat must be Daily, Weekly or Monthly`)
  if (!isPence(value.firstPaymentAmount)) invalid(`${claim} firstPaymentAmount must be an integer number of pence above 0`)
  for (const member of ['recurringPaymentAmount', 'finalPaymentAmount']) {
    if (value[member] !== undefined && !isPence(value[member])) invalid(`${claim} ${member} must be an integer number of pence above 0`)
  }
  if (value.numberOfPayments !== undefined && !isPence(value.numberOfPayments))
    invalid(`${claim} numberOfPayments must be a positive integer`)
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
  checkPayee(value, claim, clientId)
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
  const types = value.type
  if (!Array.isArray(types) || !types.length || !types.every((t) => t === 'Sweeping' || t === 'Other'))
    invalid(`${claim} type must be a non-empty array of Sweeping and Other`)
}

function checkReversePayment(value: Value, claims: Claims, clientId: string) {
  const claim = 'mh:reverse_payment'
  onlyMembers(value, ['paymentId', 'amount', 'payerId', 'payerType'], claim)
  const payment = typeof value.paymentId === 'string' ? payments.get(value.paymentId) : undefined
  if (payment?.clientId !== clientId) return invalid(`${claim} paymentId is not a payment of this client`)
  if (payment.status !== 'completed' || payment.reversesPaymentId) invalid(`${claim} the payment cannot be reversed`)
  if (value.amount !== undefined && !isPence(value.amount)) invalid(`${claim} amount must be an integer number of pence above 0`)
  if (((value.amount as number | undefined) ?? payment.amount) > payment.amount - payment.reversed)
    invalid(`${claim} amount is more than is left to reverse`)
  oneOf(value, 'payerType', PAYER_TYPES, claim)
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
        Allow payments to ${payeeLine(value)} of up to <strong id="amount">${pounds(value.maximumIndividualAmount as number)}</strong> each.
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

const iso = () => new Date().toISOString()

function payeeFor(value: Value, clientId: string): MockPayee {
  if (typeof value.payeeId === 'string') return payees.get(value.payeeId)!
  const { name, sortCode, accountNumber } = value.payee as { name: string; sortCode: string; accountNumber: string }
  return addPayee(clientId, { name, sortCode, accountNumber })
}

export function addPayment(payment: Omit<MockPayment, 'id' | 'status' | 'initiatedAt' | 'currency'>, rejects: boolean) {
  const id = crypto.randomUUID()
  payments.set(id, { ...payment, id, currency: 'GBP', status: 'inProgress', initiatedAt: iso(), reads: 0, rejects, reversed: 0 })
  return id
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
  if (flow === 'payment') {
    const payee = payeeFor(value, clientId)
    made[claim] = addPayment(
      {
        clientId,
        amount: value.amount as number,
        payeeId: payee.id,
        payeeType: (value.payeeType as string | undefined) ?? 'api-payee',
        payeeRef: value.payeeRef as string,
        payerRef: value.payerRef as string,
        ...(value.payerId ? { payerId: value.payerId as string } : {}),
        ...(value.payerType ? { payerType: value.payerType as string } : {}),
        ...(value.context ? { context: value.context as string } : {}),
        isReversible: Boolean(value.readRefundAccount),
      },
      payee.name === REJECTED_PAYEE_NAME,
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
      },
      false,
    )
  } else {
    const payee = payeeFor(value, clientId)
    made[claim] = crypto.randomUUID()
    if (flow === 'recurring_payment:create') addRecurringPayment(made[claim], clientId, payee.id, value)
  }
  madeAtExchange.push({ at: Date.now(), flow, id: made[claim]!, state: grant.params.state, value })
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
}: MockPayment & { reads: number; rejects: boolean; reversed: number }) => payment

const page = <T>(items: T[], query: Record<string, string>) => {
  const offset = Number(query.offset ?? 0) || 0
  const limit = Number(query.limit ?? 100) || 100
  return { data: items.slice(offset, offset + limit), meta: { total: items.length } }
}

/** Moneyhub's own APIs at the identity server's base ({identity}: the issuer without /oidc). */
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
      const { clientId: _c, ...shown } = payee
      return c.json({ data: { ...shown, clientId: token.clientId } }, 201)
    })
    .get('/payees', (c) => {
      const token = requireClientToken(c, 'payee:read')
      const query = c.req.query()
      const mine = [...payees.values()].filter((p) => p.clientId === token.clientId && (!query.userId || p.userId === query.userId))
      return c.json(page(mine, query))
    })
    .get('/payees/:id', (c) => {
      const token = requireClientToken(c, 'payee:read')
      const payee = payees.get(c.req.param('id'))
      if (payee?.clientId !== token.clientId) return c.json({ code: 'NotFound', message: 'no such payee' }, 404)
      return c.json({ data: payee })
    })
    .get('/payments', (c) => {
      const token = requireClientToken(c, 'payment:read')
      const query = c.req.query()
      const mine = [...payments.values()].filter((p) => p.clientId === token.clientId && (!query.payeeId || p.payeeId === query.payeeId))
      return c.json({ ...page(mine.map(viewPayment), query) })
    })
    .get('/payments/:id', (c) => {
      const token = requireClientToken(c, 'payment:read')
      const id = c.req.param('id')
      if (payments.get(id)?.clientId !== token.clientId) return c.json({ code: 'NotFound', message: 'no such payment' }, 404)
      return c.json({ data: viewPayment(readPayment(id)!) })
    })
}
