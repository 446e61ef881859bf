/**
 * The mock pays under a VRP consent as Moneyhub's control parameters allow
 * (mock/src/recurringPayments.ts), over HTTP with client-credentials tokens:
 * its dates, its maximumIndividualAmount, its periodicLimits, and revocation.
 */
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { getConfig } from '../../src/config'
import { IdentityApiError, identityRequest } from '../../src/oidc/identity'
import { APP_ORIGIN, MOCK_BANK_ID, mockOrigin, paymentStatusOf, payThrough } from '../helpers'

const DAY_MS = 86_400_000
const isoDay = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY_MS).toISOString().slice(0, 10)

/** A VRP consent made through the proxy and approved at the mock: Moneyhub's id for it. */
async function consent(extra: Record<string, unknown> = {}): Promise<string> {
  const { payment } = await payThrough('/recurring-payments', {
    bankId: MOCK_BANK_ID,
    payee: { name: 'Gym Ltd', sortCode: '400000', accountNumber: '11223344' },
    reference: 'Membership',
    maximumIndividualAmount: 500,
    periodicLimits: [{ amount: 500, periodType: 'Month', periodAlignment: 'Calendar' }],
    type: ['Other'],
    returnTo: `${APP_ORIGIN}/done`,
    ...extra,
  })
  const view = await paymentStatusOf(payment.id)
  expect(view.status).toBe('authorised')
  return view.recurringPaymentId as string
}

const call = async (method: 'GET' | 'POST' | 'DELETE', path: string, scope: string, body?: unknown) => {
  const config = await getConfig(env)
  try {
    return { ok: true as const, data: (await identityRequest(config, { method, path, scope, ...(body ? { body } : {}) })) as any }
  } catch (error) {
    if (error instanceof IdentityApiError) return { ok: false as const, status: error.status, code: error.apiCode }
    throw error
  }
}
const pay = (id: string, amount: number) =>
  call('POST', `/recurring-payments/${id}/pay`, 'recurring_payment:create', { amount, payeeRef: 'Gym', payerRef: 'Gym membership' })
const paidAtMock = async (id: string) =>
  ((await (await fetch(`${mockOrigin()}/__mock/recurring-payments/${id}`)).json()) as { payments: unknown[] }).payments

describe('the mock: paying under a VRP consent', () => {
  it('pays within the limits, and refuses over maximumIndividualAmount and over the monthly limit', async () => {
    const id = await consent()
    const first = await pay(id, 200)
    // The official client 5.2.1's RecurringPaymentRequest: id (the payment's, Assumption (project)), status, createdAt, recurringPayment.
    expect(first).toMatchObject({ ok: true, data: { status: 'InProgress', recurringPayment: { maximumIndividualAmount: 500 } } })
    expect(await call('GET', `/payments/${first.data.id}`, 'payment:read')).toMatchObject({
      ok: true,
      data: { id: first.data.id, amount: 200, recurringPaymentId: id, paymentSubmissionId: expect.any(String) },
    })
    expect(await pay(id, 501)).toEqual({ ok: false, status: 400, code: 'FailsControlParameters' })
    expect(await pay(id, 300)).toMatchObject({ ok: true })
    // £5 a month, £5 paid: another penny is over the period's limit.
    expect(await pay(id, 1)).toEqual({ ok: false, status: 400, code: 'FailsControlParameters' })
    expect(await paidAtMock(id)).toHaveLength(2)
  })

  it('refuses before validFromDate and after validToDate', async () => {
    const later = await consent({ validFromDate: isoDay(2), validToDate: isoDay(30) })
    expect(await pay(later, 100)).toEqual({ ok: false, status: 400, code: 'ConsentNotYetValid' })
    const over = await consent({ validFromDate: isoDay(-30), validToDate: isoDay(-1) })
    expect(await pay(over, 100)).toEqual({ ok: false, status: 400, code: 'ConsentExpired' })
    // A date-only validToDate covers the whole day.
    const today = await consent({ validFromDate: isoDay(-30), validToDate: isoDay(0) })
    expect(await pay(today, 100)).toMatchObject({ ok: true })
  })

  it('a day limit aligned to the consent counts from the consent', async () => {
    const id = await consent({ periodicLimits: [{ amount: 300, periodType: 'Day', periodAlignment: 'Consent' }] })
    expect(await pay(id, 300)).toMatchObject({ ok: true })
    expect(await pay(id, 1)).toEqual({ ok: false, status: 400, code: 'FailsControlParameters' })
  })

  it('revoking ends the consent: GET shows Revoked, and nothing more is paid', async () => {
    const id = await consent()
    expect(await call('GET', `/recurring-payments/${id}`, 'recurring_payment:read')).toMatchObject({
      ok: true,
      data: { id, status: 'Authorised', recurringPayment: { maximumIndividualAmount: 500 } },
    })
    expect(await pay(id, 100)).toMatchObject({ ok: true })
    expect(await call('DELETE', `/recurring-payments/${id}`, 'recurring_payment:create')).toEqual({ ok: true, data: undefined })
    expect(await call('GET', `/recurring-payments/${id}`, 'recurring_payment:read')).toMatchObject({ data: { status: 'Revoked' } })
    expect(await pay(id, 100)).toEqual({ ok: false, status: 400, code: 'ConsentRevoked' })
    expect(await paidAtMock(id)).toHaveLength(1)
  })

  it('the scopes are the official client’s: paying needs recurring_payment:create, reading recurring_payment:read', async () => {
    const id = await consent()
    expect(
      await call('POST', `/recurring-payments/${id}/pay`, 'recurring_payment:read', { amount: 1, payeeRef: 'a', payerRef: 'b' }),
    ).toEqual({ ok: false, status: 403, code: 'insufficient_scope' })
    expect(await call('GET', `/recurring-payments/${id}`, 'payment:read')).toEqual({ ok: false, status: 403, code: 'insufficient_scope' })
    expect(await call('GET', `/recurring-payments/unknown-consent`, 'recurring_payment:read')).toEqual({
      ok: false,
      status: 404,
      code: 'NotFound',
    })
  })
})

describe('the mock: answering VRP as the official client 6.x declares it', () => {
  it('a pay answers its submission, the consent read the same shape, revokedAt once revoked', async () => {
    const id = await consent()
    await fetch(`${mockOrigin()}/__mock/recurring-payments/${id}/version?v=6`, { method: 'POST' })
    const made = await pay(id, 200)
    expect(made).toEqual({
      ok: true,
      data: {
        paymentSubmissionId: expect.any(String),
        providerStatus: 'Pending',
        status: 'inProgress',
        submittedAt: expect.any(String),
        authRequestId: expect.any(String),
      },
    })
    const [payment] = (await paidAtMock(id)) as { paymentSubmissionId: string }[]
    expect(payment!.paymentSubmissionId).toBe(made.ok && made.data.paymentSubmissionId)
    const read = await call('GET', `/recurring-payments/${id}`, 'recurring_payment:read')
    expect(read.ok && Object.keys(read.data).sort()).toEqual([
      'authRequestId',
      'paymentSubmissionId',
      'providerStatus',
      'status',
      'submittedAt',
    ])
    await call('DELETE', `/recurring-payments/${id}`, 'recurring_payment:create')
    expect(await call('GET', `/recurring-payments/${id}`, 'recurring_payment:read')).toMatchObject({
      data: { revokedAt: expect.any(String) },
    })
  })

  it('confirms funds with recurring_payment:funds_confirmation, amounts as decimal strings', async () => {
    const id = await consent()
    const path = `/recurring-payments/${id}/funds-confirmation`
    expect(await call('POST', path, 'recurring_payment:create', { amount: '1.00', currency: 'GBP' })).toEqual({
      ok: false,
      status: 403,
      code: 'insufficient_scope',
    })
    expect(await call('POST', path, 'recurring_payment:funds_confirmation', { amount: '10.00', currency: 'GBP' })).toEqual({
      ok: true,
      data: { fundsAvailable: true, fundsAvailableAt: expect.any(String), amount: '10.00', currency: 'GBP', recurringPaymentId: id },
    })
    expect(await call('POST', path, 'recurring_payment:funds_confirmation', { amount: 1000, currency: 'GBP' })).toMatchObject({
      ok: false,
      status: 400,
    })
  })
})
