/**
 * Issue 27 items 2 and 3: Moneyhub's answers to a VRP pay and to a consent read, as each official client version
 * declares them (5.2.1: RecurringPaymentRequest { id, status, createdAt, recurringPayment }; 6.x: { paymentSubmissionId,
 * providerStatus, status, submittedAt, authRequestId, revokedAt? }), through the proxy against the mock in each.
 * A 2xx from /pay is Moneyhub accepting the pay, whatever its body: 201 `made` with the id it gave and its statuses.
 * A consent read without terms or with a status the Worker does not know refuses nothing locally; only what every
 * version agrees means unusable does (Revoked, Expired, Rejected, revokedAt).
 */
import { describe, expect, it } from 'vitest'
import { payAnswerOf } from '../../src/payments/recurring'
import { refusalOfConsent } from '../../src/payments/recurringConsent'
import { runDurableObjectAlarm } from 'cloudflare:test'
import { backendJson } from '../helpers'
import { consent, paidAtMock, pay, paymentsListed, revokeAtBank, stubOf, VERSIONS } from '../vrp'

describe.each(VERSIONS)('paying under a consent whose Moneyhub answers as client %s.x declares', (version) => {
  it('201 made with the id Moneyhub gave and its statuses; the same key answers it again', async () => {
    const { id, recurringPaymentId } = await consent(version)
    const key = crypto.randomUUID()
    const first = await pay(id, 100, key)
    expect(first.status).toBe(201)
    const made = await first.json<Record<string, any>>()
    const [atMock] = (await paidAtMock(recurringPaymentId)).payments
    expect(made).toMatchObject({ id, recurringPaymentId, status: 'made' })
    if (version === '5') expect(made).toMatchObject({ paymentId: atMock!.id, moneyhubStatus: 'InProgress' })
    else
      expect(made).toMatchObject({
        paymentSubmissionId: atMock!.paymentSubmissionId,
        moneyhubStatus: 'inProgress',
        providerStatus: 'Pending',
      })
    const again = await pay(id, 100, key)
    expect(again.status).toBe(201)
    expect(await again.json()).toEqual(made)
    // A pay Moneyhub accepted is listed made, and its payment is found by its paymentSubmissionId when that is all it gave.
    await runDurableObjectAlarm(stubOf(id))
    expect(await paymentsListed(id)).toEqual([expect.objectContaining({ status: 'made', paymentId: atMock!.id })])
  })

  it('Moneyhub judges what the consent read does not say: over maximumIndividualAmount is refused by Moneyhub or here, never sent twice', async () => {
    const { id, recurringPaymentId } = await consent(version)
    const over = await pay(id, 501)
    expect(over.status).toBe(422)
    // 5.2.1's read carries the terms (refused here); 6.x's has none (refused by Moneyhub).
    expect(await over.json()).toMatchObject({ error: version === '5' ? 'amount_over_maximum' : 'recurring_payment_refused' })
    expect((await paidAtMock(recurringPaymentId)).payments).toHaveLength(0)
  })

  it('a consent revoked at the bank is refused before sending (Revoked, or 6.x’s revokedAt)', async () => {
    const { id, recurringPaymentId } = await consent(version)
    expect((await pay(id, 100)).status).toBe(201)
    await revokeAtBank(recurringPaymentId)
    const refused = await pay(id, 100)
    expect(refused.status).toBe(410)
    expect(await refused.json()).toMatchObject({ error: 'consent_revoked' })
    expect((await paidAtMock(recurringPaymentId)).payments).toHaveLength(1)
  })

  it('GET /recurring-payments/:id shows Moneyhub’s record of the consent in its version’s shape', async () => {
    const { id } = await consent(version)
    const view = await (await backendJson('GET', `/recurring-payments/${id}`)).json<Record<string, any>>()
    expect(view.status).toBe('authorised')
    expect(view.consent).toBeDefined()
    if (version === '6') expect(view.consent).toMatchObject({ status: 'completed', authRequestId: expect.any(String) })
    else expect(view.consent).toMatchObject({ status: 'Authorised', recurringPayment: { maximumIndividualAmount: 500 } })
  })
})

describe('a 2xx from /pay, whatever its body', () => {
  const ids = { id: 's', recurringPaymentId: 'rp' }
  it('reads { data: T } and a bare T, in either version’s shape', () => {
    const v5 = { id: 'p1', status: 'InProgress', createdAt: '2026-01-01T00:00:00Z', recurringPayment: {} }
    const v6 = { paymentSubmissionId: 'ps1', providerStatus: 'Pending', status: 'inProgress', submittedAt: 'x', authRequestId: 'a' }
    for (const body of [v5, { data: v5 }])
      expect(payAnswerOf(ids, body)).toEqual({
        httpStatus: 201,
        body: { ...ids, status: 'made', paymentId: 'p1', moneyhubStatus: 'InProgress' },
      })
    for (const body of [v6, { data: v6 }])
      expect(payAnswerOf(ids, body)).toEqual({
        httpStatus: 201,
        body: { ...ids, status: 'made', paymentSubmissionId: 'ps1', moneyhubStatus: 'inProgress', providerStatus: 'Pending' },
      })
  })

  it('is made even with no body, an odd body, or the consent’s own id as `id`', () => {
    for (const body of [undefined, null, {}, [], 'ok', { data: { amount: 'x' } }])
      expect(payAnswerOf(ids, body)).toEqual({ httpStatus: 201, body: { ...ids, status: 'made' } })
    expect(payAnswerOf(ids, { data: { id: 'rp', status: 'Authorised' } })).toEqual({
      httpStatus: 201,
      body: { ...ids, status: 'made', moneyhubStatus: 'Authorised' },
    })
  })
})

describe('reading a consent refuses only what every version agrees is unusable', () => {
  it('Revoked, Expired, Rejected and revokedAt refuse; no terms, an unknown status or a payment status do not', () => {
    expect(refusalOfConsent({ status: 'Revoked' }, 100)).toMatchObject({ code: 'consent_revoked' })
    expect(refusalOfConsent({ status: 'Expired' }, 100)).toMatchObject({ code: 'consent_expired' })
    expect(refusalOfConsent({ status: 'Rejected' }, 100)).toMatchObject({ code: 'consent_not_authorised' })
    expect(refusalOfConsent({ status: 'completed', revokedAt: '2026-01-01T00:00:00Z' }, 100)).toMatchObject({ code: 'consent_revoked' })
    for (const read of [{}, { status: 'AwaitingAuthorisation' }, { status: 'SomethingNew' }, { status: 'inProgress' }, { id: 'x' }, 'odd'])
      expect(refusalOfConsent(read, 100)).toBeUndefined()
  })
})
