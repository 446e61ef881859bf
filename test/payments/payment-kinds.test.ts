/**
 * Payment flows as session kinds: each valid request gives exactly the scope
 * and claims Moneyhub documents, every field outside its rule is refused
 * naming the field, and each rule is visible in the OpenAPI document's JSON
 * Schema for it.
 */
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import * as v from 'valibot'
import { connectionKind } from '../../src/kinds/connection'
import { KIND_NAMES, SESSION_KINDS } from '../../src/kinds/registry'
import { claimsFor, scopeFor } from '../../src/session/moneyhub'
import type { IdTokenClaims } from '../../src/oidc/idToken'
import { paymentKind } from '../../src/kinds/payment'
import { recurringPaymentKind } from '../../src/kinds/recurringPayment'
import { reversePaymentKind } from '../../src/kinds/refund'
import { standingOrderKind } from '../../src/kinds/standingOrder'
import {
  PaymentRequest,
  RecurringPaymentRequest,
  ReversePaymentBody,
  ReversePaymentRequest,
  StandingOrderRequest,
} from '../../src/payments/schemas'

const BANK = '1ffe704d39629a929c8e293880fb449a'
const payee = { name: 'Acme Ltd', sortCode: '123456', accountNumber: '12345678' }
const payment = { bankId: BANK, amount: 150, payee, payeeRef: 'Order 42', payerRef: 'Acme order 42' }
const standingOrder = {
  bankId: BANK,
  payeeId: 'payee-1',
  reference: 'Rent',
  frequency: { repeat: 'Monthly', day: 1 },
  numberOfPayments: 12,
  firstPaymentAmount: 50_000,
  firstPaymentDate: '2027-01-01',
}
const recurring = {
  bankId: BANK,
  payee,
  reference: 'Sweep',
  maximumIndividualAmount: 10_000,
  periodicLimits: [{ amount: 50_000, periodType: 'Month', periodAlignment: 'Calendar' }],
  type: ['Sweeping'],
}
const reverse = { bankId: BANK, paymentId: 'pay-1', amount: 50 }

/** The problems as the API's 400 states them (http/validation.ts): `field.path: message`. */
function problems(schema: v.GenericSchema, input: unknown): string[] {
  const result = v.safeParse(schema, input)
  if (result.success) return []
  return result.issues.map((issue) => {
    const keys = (issue.path ?? []).map((item) => String(item.key))
    // A member the schema does not name is reported at its object (http/validation.ts).
    if (issue.expected === 'never' && issue.path?.at(-1)?.origin === 'key') keys.pop()
    return `${keys.join('.')}: ${issue.message}`
  })
}

const parse = <T extends v.GenericSchema>(schema: T, input: unknown): v.InferOutput<T> => v.parse(schema, input)

describe('the payment kinds give exactly the documented scope and claims', () => {
  it('payment: scope `payment openid id:<bankId>`, mh:con_id and mh:payment essential, the payment as its value', () => {
    const request = parse(PaymentRequest, { ...payment, returnTo: 'https://app.example.com/done' })
    expect(paymentKind.scope(request, { defaultBankSelector: 'id:all' })).toBe(`payment openid id:${BANK}`)
    expect(paymentKind.claims(request)).toEqual({
      id_token: {
        sub: { essential: true },
        'mh:con_id': { essential: true },
        'mh:payment': {
          essential: true,
          value: { amount: 150, payee, payeeRef: 'Order 42', payerRef: 'Acme order 42' },
        },
      },
    })
  })

  it('payment for a known user: sub carries the user id; optional members travel in the value', () => {
    const request = parse(PaymentRequest, {
      bankId: BANK,
      amount: 1,
      payeeId: 'payee-1',
      payeeType: 'api-payee',
      payerId: 'payer-1',
      payerType: 'mh-user-account',
      payeeRef: 'x'.repeat(18),
      payerRef: 'y',
      context: 'PartyToParty',
      readRefundAccount: true,
      userId: 'user-1',
    })
    expect(paymentKind.claims(request).id_token).toEqual({
      sub: { essential: true, value: 'user-1' },
      'mh:con_id': { essential: true },
      'mh:payment': {
        essential: true,
        value: {
          amount: 1,
          payeeId: 'payee-1',
          payeeType: 'api-payee',
          payerId: 'payer-1',
          payerType: 'mh-user-account',
          payeeRef: 'x'.repeat(18),
          payerRef: 'y',
          context: 'PartyToParty',
          readRefundAccount: true,
        },
      },
    })
  })

  it('standing order: scope `standing_orders:create openid id:<bankId>`, claim mh:standing_order', () => {
    const request = parse(StandingOrderRequest, standingOrder)
    expect(standingOrderKind.scope(request, { defaultBankSelector: 'id:all' })).toBe(`standing_orders:create openid id:${BANK}`)
    const { bankId: _, ...value } = standingOrder
    expect(standingOrderKind.claims(request)).toEqual({
      id_token: { sub: { essential: true }, 'mh:con_id': { essential: true }, 'mh:standing_order': { essential: true, value } },
    })
  })

  it('recurring payment: scope `recurring_payment:create openid id:<bankId>`, claim mh:recurring_payment', () => {
    const request = parse(RecurringPaymentRequest, recurring)
    expect(recurringPaymentKind.scope(request, { defaultBankSelector: 'id:all' })).toBe(`recurring_payment:create openid id:${BANK}`)
    const { bankId: _, ...value } = recurring
    expect(recurringPaymentKind.claims(request)).toEqual({
      id_token: { sub: { essential: true }, 'mh:con_id': { essential: true }, 'mh:recurring_payment': { essential: true, value } },
    })
  })

  it('reverse payment: scope `reverse_payment openid id:<bankId>`, mh:reverse_payment with the payment id, and mh:payment', () => {
    const request = parse(ReversePaymentRequest, reverse)
    expect(reversePaymentKind.scope(request, { defaultBankSelector: 'id:all' })).toBe(`reverse_payment openid id:${BANK}`)
    expect(reversePaymentKind.claims(request)).toEqual({
      id_token: {
        sub: { essential: true },
        'mh:con_id': { essential: true },
        'mh:reverse_payment': { essential: true, value: { paymentId: 'pay-1', amount: 50 } },
        'mh:payment': { essential: true },
      },
    })
  })

  it('every kind is registered under its own name', () => {
    expect(Object.keys(SESSION_KINDS).sort()).toEqual([...KIND_NAMES].sort())
    for (const [name, kind] of Object.entries(SESSION_KINDS)) expect(kind.name).toBe(name)
  })

  it('the connection is a kind of the same shape, giving what session/moneyhub.ts gives', () => {
    const target = { bankId: BANK, userId: 'user-1', offlineAccess: true }
    expect(connectionKind.scope(target, { defaultBankSelector: 'id:all' })).toBe(scopeFor(target, 'id:all'))
    expect(connectionKind.scope({}, { defaultBankSelector: 'id:test' })).toBe('openid id:test')
    expect(connectionKind.claims(target)).toEqual(claimsFor(target))
  })
})

describe('each kind reads what was made from the id_token', () => {
  const base = { sub: 'user-1', 'mh:con_id': `${BANK}:con-1`, iss: 'x', aud: 'y', iat: 1, exp: 2 } as IdTokenClaims
  const claims = (extra: Record<string, unknown>) => ({ ...base, ...extra }) as IdTokenClaims

  it('gives the created id under the claim name, and who paid', () => {
    expect(paymentKind.outcomeFromIdToken(claims({ 'mh:payment': 'p-1' }))).toEqual({
      paymentId: 'p-1',
      userId: 'user-1',
      connectionId: `${BANK}:con-1`,
    })
    expect(standingOrderKind.outcomeFromIdToken(claims({ 'mh:standing_order': 'so-1' }))).toMatchObject({ standingOrderId: 'so-1' })
    expect(recurringPaymentKind.outcomeFromIdToken(claims({ 'mh:recurring_payment': 'vrp-1' }))).toMatchObject({
      recurringPaymentId: 'vrp-1',
    })
    expect(reversePaymentKind.outcomeFromIdToken(claims({ 'mh:reverse_payment': 'rev-1', 'mh:payment': 'p-2' }))).toMatchObject({
      reversePaymentId: 'rev-1',
      paymentId: 'p-2',
    })
    expect(connectionKind.outcomeFromIdToken(base)).toEqual({ userId: 'user-1', connectionId: `${BANK}:con-1` })
  })

  it.each([
    ['payment', paymentKind, {}, 'id_token_mh_payment_missing'],
    ['standing order', standingOrderKind, {}, 'id_token_mh_standing_order_missing'],
    ['recurring payment', recurringPaymentKind, {}, 'id_token_mh_recurring_payment_missing'],
    // Neither id (with mh:payment alone, that id is kept: test/payments/refund-ids.test.ts).
    ['reverse payment', reversePaymentKind, {}, 'id_token_mh_reverse_payment_missing'],
    ['payment (not an id)', paymentKind, { 'mh:payment': { amount: 1 } }, 'id_token_claim_invalid'],
  ] as const)('%s: an id_token without the created id fails with %s', (_, kind, extra, code) => {
    expect(() => kind.outcomeFromIdToken(claims(extra))).toThrow(expect.objectContaining({ code: expect.stringMatching(code) }))
  })
})

describe('fields outside their rules are refused, naming the field', () => {
  it.each([
    ['amount 0', { amount: 0 }, 'amount: must be more than 0 pence'],
    ['a negative amount', { amount: -150 }, 'amount: must be more than 0 pence'],
    ['a fractional amount', { amount: 1.5 }, 'amount: must be a whole number of pence'],
    ['an amount in pounds as a string', { amount: '1.50' }, 'amount: must be a whole number of pence'],
    ['no amount', { amount: undefined }, 'amount: must be a whole number of pence'],
    ['a payeeRef of 19 characters', { payeeRef: 'x'.repeat(19) }, 'payeeRef: must be at most 18 characters'],
    ['a payerRef of 19 characters', { payerRef: 'y'.repeat(19) }, 'payerRef: must be at most 18 characters'],
    ['an empty payeeRef', { payeeRef: '' }, 'payeeRef: must not be empty'],
    ['a payerRef with a control character', { payerRef: 'a\nb' }, 'payerRef: must be printable ASCII'],
    ['a sort code with dashes', { payee: { ...payee, sortCode: '12-34-56' } }, 'payee.sortCode: must be 6 digits'],
    ['a sort code of 5 digits', { payee: { ...payee, sortCode: '12345' } }, 'payee.sortCode: must be 6 digits'],
    ['an account number of 7 digits', { payee: { ...payee, accountNumber: '1234567' } }, 'payee.accountNumber: must be 8 digits'],
    ['an account number with letters', { payee: { ...payee, accountNumber: '1234567a' } }, 'payee.accountNumber: must be 8 digits'],
    ['a payee without a name', { payee: { ...payee, name: '' } }, 'payee.name: must not be empty'],
    ['payeeId and payee both', { payeeId: 'payee-1' }, 'payeeId: give payeeId or payee, not both'],
    ['neither payeeId nor payee', { payee: undefined }, 'payeeId: give payeeId or payee, not both'],
    ['an unknown payeeType', { payeeType: 'someone' }, 'payeeType:'],
    ['an unknown context', { context: 'Gift' }, 'context:'],
    ['a bankId with a space', { bankId: 'a b' }, 'bankId: must be a Moneyhub bank id'],
    ['an unknown member', { tip: 1 }, 'Unrecognized key: "tip"'],
  ])('payment with %s', (_, change, expected) => {
    expect(problems(PaymentRequest, { ...payment, ...change }).join('; ')).toContain(expected)
  })

  it.each([
    ['a reference of 19 characters', { reference: 'r'.repeat(19) }, 'reference: must be at most 18 characters'],
    ['firstPaymentAmount 0', { firstPaymentAmount: 0 }, 'firstPaymentAmount: must be more than 0 pence'],
    ['a fractional recurringPaymentAmount', { recurringPaymentAmount: 10.5 }, 'recurringPaymentAmount: must be a whole number of pence'],
    ['a payee sort code of 7 digits', { payeeId: undefined, payee: { ...payee, sortCode: '1234567' } }, 'payee.sortCode: must be 6 digits'],
    ['Monthly without a day', { frequency: { repeat: 'Monthly' } }, 'frequency.day: Weekly and Monthly need day'],
    ['Weekly on day 8', { frequency: { repeat: 'Weekly', day: 8 } }, 'frequency.day: must be 1 to 7 for Weekly'],
    ['an unknown repeat', { frequency: { repeat: 'Hourly' } }, 'frequency.repeat:'],
    [
      'neither numberOfPayments nor finalPaymentDate',
      { numberOfPayments: undefined },
      'numberOfPayments: give numberOfPayments, finalPaymentDate or both',
    ],
    ['a date that is not ISO 8601', { firstPaymentDate: '01/01/2027' }, 'firstPaymentDate: must be an ISO 8601 date'],
    ['an impossible date', { firstPaymentDate: '2027-02-30T00:00:00Z' }, 'firstPaymentDate:'],
    [
      'a final date before the first',
      { numberOfPayments: undefined, finalPaymentDate: '2026-12-01' },
      'finalPaymentDate: must not be before firstPaymentDate',
    ],
    ['a currency other than GBP', { currency: 'EUR' }, 'currency:'],
  ])('standing order with %s', (_, change, expected) => {
    expect(problems(StandingOrderRequest, { ...standingOrder, ...change }).join('; ')).toContain(expected)
  })

  it.each([
    ['maximumIndividualAmount 0', { maximumIndividualAmount: 0 }, 'maximumIndividualAmount: must be more than 0 pence'],
    ['a periodic limit of 1.5 pence', { periodicLimits: [{ ...recurring.periodicLimits[0], amount: 1.5 }] }, 'periodicLimits.0.amount:'],
    ['no periodic limits', { periodicLimits: [] }, 'periodicLimits: must have at least one limit'],
    ['an unknown period', { periodicLimits: [{ ...recurring.periodicLimits[0], periodType: 'Decade' }] }, 'periodicLimits.0.periodType:'],
    ['no type', { type: [] }, 'type:'],
    ['a reference of 19 characters', { reference: 'r'.repeat(19) }, 'reference: must be at most 18 characters'],
    ['an account number of 9 digits', { payee: { ...payee, accountNumber: '123456789' } }, 'payee.accountNumber: must be 8 digits'],
    ['validTo before validFrom', { validFromDate: '2027-02-01', validToDate: '2027-01-01' }, 'validToDate: must not be before'],
  ])('recurring payment with %s', (_, change, expected) => {
    expect(problems(RecurringPaymentRequest, { ...recurring, ...change }).join('; ')).toContain(expected)
  })

  it.each([
    ['amount 0', { amount: 0 }, 'amount: must be more than 0 pence'],
    ['a fractional amount', { amount: 0.5 }, 'amount: must be a whole number of pence'],
    ['an unknown payerType', { payerType: 'bank' }, 'payerType:'],
    ['no bankId', { bankId: undefined }, 'bankId:'],
  ])('reverse payment with %s', (_, change, expected) => {
    const { paymentId: _p, ...body } = reverse
    expect(problems(ReversePaymentBody, { ...body, ...change }).join('; ')).toContain(expected)
  })

  it('valid requests pass untouched', () => {
    expect(problems(PaymentRequest, payment)).toEqual([])
    expect(problems(StandingOrderRequest, standingOrder)).toEqual([])
    expect(problems(RecurringPaymentRequest, recurring)).toEqual([])
    expect(problems(ReversePaymentRequest, reverse)).toEqual([])
  })
})

describe('every field states its rule for the OpenAPI document', () => {
  type JsonSchema = {
    description?: string
    properties?: Record<string, JsonSchema>
    items?: JsonSchema
    required?: string[]
    [rule: string]: unknown
  }
  /** Every property, at every depth, with its path. */
  function properties(schema: JsonSchema, path = ''): [string, JsonSchema][] {
    return Object.entries(schema.properties ?? {}).flatMap(([name, property]) => {
      const here = path ? `${path}.${name}` : name
      const nested = property.items ?? property
      return [[here, property] as [string, JsonSchema], ...properties(nested, here)]
    })
  }

  /** The named schema as the OpenAPI document states it (the descriptions are only there: OPENAPI_BUILD). */
  async function documented(name: string): Promise<JsonSchema> {
    const doc = (await (await env.ASSETS.fetch('http://proxy.test/openapi.json')).json()) as {
      components: { schemas: Record<string, JsonSchema> }
    }
    return doc.components.schemas[name]!
  }

  it.each(['PaymentRequest', 'StandingOrderRequest', 'RecurringPaymentRequest', 'ReversePaymentBody'])(
    '%s: every property has a description',
    async (name) => {
      const all = properties(await documented(name))
      expect(all.length).toBeGreaterThanOrEqual(5)
      for (const [path, property] of all) expect(property.description, path).toBeTruthy()
    },
  )

  it('the rules themselves are in the schema: pence, 18-character references, 6 and 8 digits', async () => {
    const json = await documented('PaymentRequest')
    const p = json.properties!
    expect(p.amount).toMatchObject({ type: 'integer', exclusiveMinimum: 0 })
    expect(p.payeeRef).toMatchObject({ type: 'string', minLength: 1, maxLength: 18 })
    expect(p.payerRef).toMatchObject({ type: 'string', minLength: 1, maxLength: 18 })
    expect(p.payee!.properties!.sortCode).toMatchObject({ pattern: '^\\d{6}$' })
    expect(p.payee!.properties!.accountNumber).toMatchObject({ pattern: '^\\d{8}$' })
    expect(p.context).toMatchObject({ enum: expect.arrayContaining(['Other', 'BillPayment', 'PartyToParty']) })
    expect(json.required).toEqual(expect.arrayContaining(['bankId', 'amount', 'payeeRef', 'payerRef']))
  })
})
