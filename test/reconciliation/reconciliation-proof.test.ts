/**
 * Reconciliation proves, never guesses (issue 26 items 1, 2 and 4; issue 27
 * items 4 and 6): a record settles a session only when it is equal on every
 * field the session fixed (the user, the payee, both references, the kind:
 * a refund never settles a payment), no other session holds it or could own it
 * (a look-alike that sent a code for the same terms), and its id is held for
 * this session first. Ids from a validated id_token are held too. A VRP
 * consent is never linked by likeness. Each look is run by the test (the alarm).
 */
import { runDurableObjectAlarm } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { matches, type MatchTarget } from '../../src/payments/reconciliation'
import {
  APP_ORIGIN,
  Browser,
  madeAtMockFor,
  MOCK_BANK_ID,
  paymentBody,
  paymentStatusOf,
  payThrough,
  registerUser,
  startedPayment,
  startPaymentAt,
  stubOf,
} from '../helpers'

/** A session started at `path`, approved at the mock with `fault` (none: a clean exchange). */
async function through(path: string, body: unknown, fault?: string) {
  const user = new Browser()
  const session = await startedPayment(path, body)
  await user.callback(await user.authorize(session.authorizeUrl, 'approve', fault ? { fault } : {}))
  return session.id
}

/** Its look at Moneyhub's records, then its status. */
async function looked(id: string) {
  await runDurableObjectAlarm(stubOf(id))
  return paymentStatusOf(id)
}

describe('look-alike payments (issue 26 item 1)', () => {
  it('one made, one not, two users: the unmade one never reads authorised with the other’s payment', async () => {
    const [alice, bob] = await Promise.all([registerUser(), registerUser()])
    const terms = paymentBody()
    const made = await through('/payments', { ...terms, userId: alice })
    const unmade = await through('/payments', { ...terms, userId: bob }, 'server_error')
    const [record] = await madeAtMockFor(made)
    expect(await paymentStatusOf(made)).toMatchObject({ status: 'authorised', paymentId: record!.id })
    const status = await looked(unmade)
    expect(status.status).not.toBe('authorised')
    expect(status.paymentId).toBeUndefined()
    expect(await madeAtMockFor(unmade)).toEqual([])
  })

  it('one made, one not, no user known: the made one holds its id, so the other stays confirming (match_ambiguous)', async () => {
    const terms = paymentBody()
    const made = await through('/payments', terms)
    const unmade = await through('/payments', terms, 'server_error')
    const status = await looked(unmade)
    expect(status).toMatchObject({ status: 'confirming', reason: 'match_ambiguous' })
    expect(status.paymentId).toBeUndefined()
    expect((await paymentStatusOf(made)).paymentId).toBe((await madeAtMockFor(made))[0]!.id)
  })

  it('both confirming, one made, no user known: neither takes the record by likeness, whichever looks first', async () => {
    const terms = paymentBody()
    const made = await through('/payments', terms, 'server_error_after_payment')
    const unmade = await through('/payments', terms, 'server_error')
    const [record] = await madeAtMockFor(made)
    // The one that made nothing looks first: one record fits it, and it is not its own.
    const first = await looked(unmade)
    expect(first).toMatchObject({ status: 'confirming', reason: 'match_ambiguous' })
    expect(first.paymentId).toBeUndefined()
    const second = await looked(made)
    expect(second.status).not.toBe('failed')
    expect([undefined, record!.id]).toContain(second.paymentId)
  })

  it('both confirming, one made, two users: the made one is proved by its user, the other is not made', async () => {
    const [alice, bob] = await Promise.all([registerUser(), registerUser()])
    const terms = paymentBody()
    const made = await through('/payments', { ...terms, userId: alice }, 'server_error_after_payment')
    const unmade = await through('/payments', { ...terms, userId: bob }, 'server_error')
    const first = await looked(unmade)
    expect(first.status).toBe('confirming')
    expect(first.paymentId).toBeUndefined()
    expect(await looked(made)).toMatchObject({ status: 'authorised', paymentId: (await madeAtMockFor(made))[0]!.id })
  })

  it('a payee given by id is that payee: a payment to another payee with the same references is not a match', async () => {
    const terms = paymentBody()
    // Made to the payee given in full; the look-alike names a payee by id that is another account.
    const payee = await (
      await startPaymentAt('/payees', { name: 'Other Shop', sortCode: '654321', accountNumber: '87654321' })
    ).json<{ id?: string; payeeId?: string }>()
    const payeeId = payee.id ?? payee.payeeId
    expect(payeeId).toEqual(expect.any(String))
    await through('/payments', terms)
    const { payee: _, ...rest } = terms
    const other = await through('/payments', { ...rest, payeeId }, 'server_error')
    const status = await looked(other)
    expect(status.status).not.toBe('authorised')
    expect(status.paymentId).toBeUndefined()
  })
})

describe('refunds (issue 26 item 4; issue 27 item 6)', () => {
  const reverse = (id: string, amount: number) =>
    startPaymentAt(`/payments/${id}/reverse`, { bankId: MOCK_BANK_ID, amount, returnTo: `${APP_ORIGIN}/refunded` })

  async function refundable(amount: number) {
    const { payment } = await payThrough('/payments', paymentBody({ amount, readRefundAccount: true }))
    return (await paymentStatusOf(payment.id)).paymentId as string // the mock completes a payment at its second read
  }

  it('a refund never made is not settled with an earlier refund of the same payment', async () => {
    const paymentId = await refundable(600)
    const first = await reverse(paymentId, 300)
    expect(first.status).toBe(201)
    const firstId = await first.json<{ id: string; authorizeUrl: string }>()
    const user = new Browser()
    await user.callback(await user.authorize(firstId.authorizeUrl))
    expect(await paymentStatusOf(firstId.id)).toMatchObject({ status: 'authorised' })

    const second = await reverse(paymentId, 300)
    expect(second.status).toBe(201)
    const { id, authorizeUrl } = await second.json<{ id: string; authorizeUrl: string }>()
    await user.callback(await user.authorize(authorizeUrl, 'approve', { fault: 'server_error' }))
    expect(await madeAtMockFor(id)).toEqual([])
    const status = await looked(id)
    expect(status.status).toBe('confirming')
    expect(status.paymentId).toBeUndefined()
    expect(status.reversePaymentId).toBeUndefined()
  })

  it('a refund’s record never settles a payment whose amount and references coincide', async () => {
    const paymentId = await refundable(500)
    const refund = await reverse(paymentId, 200)
    const { id: refundId, authorizeUrl } = await refund.json<{ id: string; authorizeUrl: string }>()
    const user = new Browser()
    await user.callback(await user.authorize(authorizeUrl))
    const refundStatus = await paymentStatusOf(refundId)
    const record = refundStatus.payment as { payeeRef: string; payerRef: string; amount: number }
    // A payment that was never made, with the refund's amount and references.
    const unmade = await through(
      '/payments',
      paymentBody({ amount: record.amount, payeeRef: record.payeeRef, payerRef: record.payerRef }),
      'server_error',
    )
    const status = await looked(unmade)
    expect(status.status).not.toBe('authorised')
    expect(status.paymentId).toBeUndefined()
  })
})

describe('VRP consents are never linked by likeness (issue 26 item 2)', () => {
  const consent = (reference: string) => ({
    bankId: MOCK_BANK_ID,
    payee: { name: 'Savings', sortCode: '123456', accountNumber: '12345678' },
    reference,
    validFromDate: '2026-01-01',
    validToDate: '2030-12-31',
    maximumIndividualAmount: 2_000,
    periodicLimits: [{ amount: 5_000, periodType: 'Month', periodAlignment: 'Calendar' }],
  })

  it('a consent never made is not linked to a look-alike that was: it stays confirming, consent_unverified, with no consent id', async () => {
    const terms = consent(`V${crypto.randomUUID().slice(0, 8)}`)
    const made = await through('/recurring-payments', terms)
    expect(await paymentStatusOf(made)).toMatchObject({ status: 'authorised', recurringPaymentId: expect.any(String) })
    const unmade = await through('/recurring-payments', terms, 'server_error')
    const status = await looked(unmade)
    expect(status).toMatchObject({ status: 'confirming', reason: 'consent_unverified' })
    expect(status.recurringPaymentId).toBeUndefined()
  })

  it('a consent made whose answer was lost is not linked either: a person verifies it', async () => {
    const made = await through('/recurring-payments', consent(`V${crypto.randomUUID().slice(0, 8)}`), 'server_error_after_payment')
    expect(await madeAtMockFor(made)).toHaveLength(1)
    const status = await looked(made)
    expect(status).toMatchObject({ status: 'confirming', reason: 'consent_unverified' })
    expect(status.recurringPaymentId).toBeUndefined()
  })
})

describe('standing orders as the official client declares them (issue 27 item 4)', () => {
  const target: MatchTarget = {
    kind: 'standing_order',
    value: {
      payeeId: 'payee-1',
      reference: 'Rent flat 9',
      frequency: { repeat: 'Monthly', day: 1 },
      numberOfPayments: 12,
      firstPaymentAmount: 70_000,
      firstPaymentDate: '2027-02-01',
    },
  }
  const at = Date.parse('2026-12-01T10:00:00Z') / 1000
  /** src/schema/standing-order.ts: StandingOrderRequest { id, status, createdAt, standingOrder }, amounts a Balance. */
  const official = (amount: unknown) => ({
    id: 'so-1',
    status: 'InitiationCompleted',
    createdAt: '2026-12-01T10:00:05Z',
    payeeId: 'payee-1',
    standingOrder: {
      id: 'so-1',
      reference: 'Rent flat 9',
      frequency: 'Monthly',
      numberOfPayments: 12,
      firstPaymentDate: '2027-02-01T00:00:00Z',
      firstPaymentAmount: amount,
    },
  })

  it('reads firstPaymentAmount as a Balance { amount: { value }, date }, or a plain number', () => {
    const balance = { amount: { value: 70_000, majorUnits: 700, minorUnits: 0, currency: 'GBP' }, date: '2027-02-01' }
    expect(matches(target, official(balance), at, at + 900)).toBe('exact')
    expect(matches(target, official(70_000), at, at + 900)).toBe('exact')
    expect(matches(target, official({ ...balance, amount: { ...balance.amount, value: 70_001 } }), at, at + 900)).toBe('no')
  })

  it('a record without the amount or reference that identifies it cannot be made exact', () => {
    const record = official(undefined)
    expect(matches(target, record, at, at + 900)).toBe('near')
  })
})
