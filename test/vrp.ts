/**
 * Test helpers for a VRP consent in use (not a test file): a consent approved at the mock, a pay through the proxy,
 * what the mock made under it, and the mock's switch between the two official client versions' answers
 * (mock/src/recurringPayments.ts: 5.2.1's RecurringPaymentRequest, or 6.x's submission).
 */
import { env, runInDurableObject } from 'cloudflare:test'
import { expect } from 'vitest'
import { getConfig } from '../src/config'
import { identityRequest } from '../src/oidc/identity'
import { APP_ORIGIN, backendAuth, backendJson, MOCK_BANK_ID, mockOrigin, paymentStatusOf, payThrough, stubOf } from './helpers'

/** The official client versions the mock can answer VRP calls in. */
export const VERSIONS = ['5', '6'] as const
export type Version = (typeof VERSIONS)[number]

const mock = (path: string) => fetch(`${mockOrigin()}/__mock/recurring-payments/${path}`, { method: 'POST' })

/** A VRP consent's terms: "up to £5 a month" to a streaming service. */
export const CONSENT_TERMS = {
  bankId: MOCK_BANK_ID,
  payee: { name: 'Streaming Ltd', sortCode: '300000', accountNumber: '87654321' },
  reference: 'Subscription',
  maximumIndividualAmount: 500,
  periodicLimits: [{ amount: 500, periodType: 'Month', periodAlignment: 'Calendar' }],
  type: ['Other'],
  returnTo: `${APP_ORIGIN}/done`,
}

/** "Up to £5 a month", approved at the mock and answering in `version`: its session id and Moneyhub's id. */
export async function consent(version: Version, extra: Record<string, unknown> = {}) {
  const { payment } = await payThrough('/recurring-payments', { ...CONSENT_TERMS, ...extra })
  const view = await paymentStatusOf(payment.id)
  expect(view.status).toBe('authorised')
  const recurringPaymentId = view.recurringPaymentId as string
  await mock(`${recurringPaymentId}/version?v=${version}`)
  return { id: payment.id, recurringPaymentId }
}

export const pay = (id: string, amount: number, key: string | null = crypto.randomUUID(), extra: Record<string, unknown> = {}) =>
  backendJson(
    'POST',
    `/recurring-payments/${id}/pay`,
    { amount, payeeRef: 'Streaming', payerRef: 'Monthly plan', ...extra },
    { ...backendAuth(), ...(key === null ? {} : { 'idempotency-key': key }) },
  )

export interface MadeAtMock {
  id: string
  amount: number
  paymentSubmissionId: string
  recurringPaymentId: string
}

export const paidAtMock = async (recurringPaymentId: string) =>
  await (await fetch(`${mockOrigin()}/__mock/recurring-payments/${recurringPaymentId}`)).json<{ status: string; payments: MadeAtMock[] }>()

/** The mock's one-shot faults for a consent's next pay. */
export const failAfterPaying = (recurringPaymentId: string, how = '') => mock(`${recurringPaymentId}/fail-after-paying${how}`)
export const failBeforePaying = (recurringPaymentId: string) => mock(`${recurringPaymentId}/fail-before-paying`)

export { stubOf }
export const alarmOf = (id: string) => runInDurableObject(stubOf(id), (_instance, state) => state.storage.getAlarm())

/** GET /recurring-payments/:id's payments. */
export const paymentsListed = async (id: string) =>
  (await (await backendJson('GET', `/recurring-payments/${id}`)).json<{ payments: Record<string, unknown>[] }>()).payments

/** The user ends the consent at their bank: Moneyhub's record says Revoked, and this Worker was not asked. */
export async function revokeAtBank(recurringPaymentId: string) {
  await identityRequest(await getConfig(env), {
    method: 'DELETE',
    path: `/recurring-payments/${recurringPaymentId}`,
    scope: 'recurring_payment:create',
  })
}
