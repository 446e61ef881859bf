/**
 * A VRP consent in use through the proxy: POST /recurring-payments/:id/pay pays
 * under it (strictly idempotent, checked against the consent first, Moneyhub's
 * refusals as 4xx, an unknown outcome `confirming` and never sent twice), and
 * DELETE /recurring-payments/:id revokes it (the session `revoked`, a webhook,
 * every later pay refused). Against the mock over HTTP, whose VRP answers are each official client version's in turn
 * (5.2.1, then 6.x: test/vrp.ts).
 */
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import {
  backendJson,
  expectRefusal,
  MOCK_BANK_ID,
  mockOrigin,
  paymentBody,
  payThrough,
  paymentStatusOf,
  sleepMs,
  startedPayment,
  webhooksFor,
} from '../helpers'
import { consent as consentIn, paidAtMock, pay, revokeAtBank, VERSIONS, type Version } from '../vrp'

const DAY_MS = 86_400_000
const isoDay = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY_MS).toISOString().slice(0, 10)

describe.each(VERSIONS)('a VRP consent whose Moneyhub answers as client %s.x declares', (version: Version) => {
  const consent = (extra: Record<string, unknown> = {}) => consentIn(version, extra)

  describe('POST /recurring-payments/:id/pay', () => {
    it('pays under the consent: 201 with paymentId and Moneyhub’s record; the same key and body answer again without a second payment', async () => {
      const { id, recurringPaymentId } = await consent()
      // A consent is kept while it may be used, not for a payment's 24 hours.
      expect((await paymentStatusOf(id)).expiresAt).toBeGreaterThan(Date.now() / 1000 + 300 * 86_400)
      const key = crypto.randomUUID()
      const first = await pay(id, 100, key)
      expect(first.status).toBe(201)
      const made = await first.json<Record<string, any>>()
      expect(made).toMatchObject({ id, recurringPaymentId, status: 'made' })
      const [atMock] = (await paidAtMock(recurringPaymentId)).payments
      // 5.2.1's answer names the payment (Moneyhub's record is added); 6.x's its submission (the payment is found later).
      if (version === '5') expect(made).toMatchObject({ paymentId: atMock!.id, payment: { amount: 100, payeeRef: 'Streaming' } })
      else expect(made).toMatchObject({ paymentSubmissionId: atMock!.paymentSubmissionId })
      const again = await pay(id, 100, key)
      expect(again.status).toBe(201)
      expect(again.headers.get('idempotent-replayed')).toBe('true')
      expect(await again.json()).toEqual(made)
      expect((await paidAtMock(recurringPaymentId)).payments.map((p) => p.id)).toEqual([atMock!.id])
      // Another body with the same key is another request: refused, nothing sent.
      const reused = await pay(id, 200, key)
      expect(reused.status).toBe(422)
      expect(await reused.json()).toMatchObject({ error: 'idempotency_key_reused' })
      expect((await paidAtMock(recurringPaymentId)).payments).toHaveLength(1)
    })

    it('needs an Idempotency-Key, a whole positive number of pence, and references of at most 18 characters', async () => {
      const { id, recurringPaymentId } = await consent()
      const noKey = await pay(id, 100, null)
      expect(noKey.status).toBe(400)
      expect(await noKey.json()).toMatchObject({ error: 'idempotency_key_required' })
      for (const amount of [0, -5, 1.5]) expect((await pay(id, amount)).status).toBe(400)
      expect((await pay(id, 100, crypto.randomUUID(), { payeeRef: 'x'.repeat(19) })).status).toBe(400)
      expect((await paidAtMock(recurringPaymentId)).payments).toHaveLength(0)
    })

    it('checks what the consent says before sending (or Moneyhub does, when its read has no terms): over maximumIndividualAmount, before validFromDate, not authorised, not a VRP consent', async () => {
      const { id, recurringPaymentId } = await consent()
      const over = await pay(id, 501)
      expect(over.status).toBe(422)
      expect(await over.json()).toMatchObject({ error: version === '5' ? 'amount_over_maximum' : 'recurring_payment_refused' })
      expect((await paidAtMock(recurringPaymentId)).payments).toHaveLength(0)

      const later = await consent({ validFromDate: isoDay(3) })
      const early = await pay(later.id, 100)
      expect(early.status).toBe(version === '5' ? 409 : 422)
      expect(await early.json()).toMatchObject({ error: version === '5' ? 'consent_not_yet_valid' : 'recurring_payment_refused' })
      expect((await paidAtMock(later.recurringPaymentId)).payments).toHaveLength(0)

      const pending = await startedPayment('/recurring-payments', {
        bankId: MOCK_BANK_ID,
        payee: { name: 'Streaming Ltd', sortCode: '300000', accountNumber: '87654321' },
        maximumIndividualAmount: 500,
        periodicLimits: [{ amount: 500, periodType: 'Month', periodAlignment: 'Calendar' }],
        type: ['Other'],
      })
      const notYet = await pay(pending.id, 100)
      expect(notYet.status).toBe(409)
      expect(await notYet.json()).toMatchObject({ error: 'consent_not_authorised' })

      const single = await payThrough('/payments', paymentBody())
      const notVrp = await pay(single.payment.id, 100)
      expect(notVrp.status).toBe(404)
      expect(await notVrp.json()).toMatchObject({ error: 'recurring_payment_not_found' })
    })

    it('Moneyhub’s refusal (over the monthly limit) is 422 with its reason, answered again for the same key', async () => {
      const { id, recurringPaymentId } = await consent()
      expect((await pay(id, 300)).status).toBe(201)
      const key = crypto.randomUUID()
      const refused = await pay(id, 300, key)
      const body = await expectRefusal(refused, 'recurring_payment_refused')
      // Moneyhub's own reason, passed on in the message (the route's documented answer): the code cannot say which limit.
      expect(body.message).toMatch(/over its limit of 500/)
      expect((await pay(id, 300, key)).status).toBe(422)
      expect((await paidAtMock(recurringPaymentId)).payments).toHaveLength(1)
      // Within the limit, the consent still pays.
      expect((await pay(id, 200)).status).toBe(201)
    })

    it('an outcome not known after sending is confirming (202), never failed, and a retry sends nothing again', async () => {
      const { id, recurringPaymentId } = await consent()
      await fetch(`${mockOrigin()}/__mock/recurring-payments/${recurringPaymentId}/fail-after-paying`, { method: 'POST' })
      const key = crypto.randomUUID()
      const unknown = await pay(id, 150, key)
      expect(unknown.status).toBe(202)
      const body = await unknown.json()
      expect(body).toEqual({ id, recurringPaymentId, status: 'confirming', reason: 'upstream_500' })
      // The mock did make it: money may have moved, which is why it is not `failed`.
      expect((await paidAtMock(recurringPaymentId)).payments).toHaveLength(1)
      const retry = await pay(id, 150, key)
      expect(retry.status).toBe(202)
      expect(await retry.json()).toEqual(body)
      expect((await paidAtMock(recurringPaymentId)).payments).toHaveLength(1)
    })

    it('a gateway’s bare 4xx after the payment was made (a 408 with no Moneyhub error) is confirming, not refused', async () => {
      const { id, recurringPaymentId } = await consent()
      await fetch(`${mockOrigin()}/__mock/recurring-payments/${recurringPaymentId}/fail-after-paying?with=gateway_timeout`, {
        method: 'POST',
      })
      const unknown = await pay(id, 125)
      expect(unknown.status).toBe(202)
      expect(await unknown.json()).toEqual({ id, recurringPaymentId, status: 'confirming', reason: 'upstream_408' })
      expect((await paidAtMock(recurringPaymentId)).payments).toHaveLength(1)
    })

    it('a confirming pay is reconciled from Moneyhub’s payments on the consent’s alarm: the retry then gets 201 with the payment', async () => {
      const { id, recurringPaymentId } = await consent()
      await fetch(`${mockOrigin()}/__mock/recurring-payments/${recurringPaymentId}/fail-after-paying`, { method: 'POST' })
      const key = crypto.randomUUID()
      expect((await pay(id, 175, key)).status).toBe(202)
      const stub = env.SESSION_COORDINATOR.get(env.SESSION_COORDINATOR.idFromName(id))
      expect(await runInDurableObject(stub, (_instance, state) => state.storage.getAlarm())).not.toBeNull()
      await runDurableObjectAlarm(stub)
      const [made] = (await paidAtMock(recurringPaymentId)).payments
      const settled = await pay(id, 175, key)
      expect(settled.status).toBe(201)
      expect(await settled.json()).toMatchObject({ id, status: 'made', paymentId: made!.id })
      expect((await paidAtMock(recurringPaymentId)).payments).toHaveLength(1)
    })
  })

  describe('a consent revoked at the bank', () => {
    it('is refused before sending: 410 consent_revoked, as Moneyhub’s record says', async () => {
      const { id, recurringPaymentId } = await consent()
      await revokeAtBank(recurringPaymentId)
      const refused = await pay(id, 100)
      expect(refused.status).toBe(410)
      expect(await refused.json()).toMatchObject({ error: 'consent_revoked' })
      expect((await paidAtMock(recurringPaymentId)).payments).toHaveLength(0)
    })
  })

  describe('DELETE /recurring-payments/:id', () => {
    it('revokes at Moneyhub, marks the session revoked, fires a webhook, and refuses every later pay', async () => {
      const { id, recurringPaymentId } = await consent()
      expect((await pay(id, 100)).status).toBe(201)
      const revoked = await backendJson('DELETE', `/recurring-payments/${id}`)
      expect(revoked.status).toBe(200)
      expect(await revoked.json()).toMatchObject({ id, kind: 'recurring_payment', status: 'revoked', recurringPaymentId })
      expect((await paidAtMock(recurringPaymentId)).status).toBe('Revoked')
      expect(await paymentStatusOf(id)).toMatchObject({ status: 'revoked' })

      const after = await pay(id, 100)
      expect(after.status).toBe(410)
      expect(await after.json()).toMatchObject({ error: 'consent_revoked' })
      expect((await paidAtMock(recurringPaymentId)).payments).toHaveLength(1)
      // Revoking again answers the same; nothing else changes.
      const again = await backendJson('DELETE', `/recurring-payments/${id}`)
      expect(again.status).toBe(200)
      expect(await again.json()).toMatchObject({ status: 'revoked' })

      let events: Record<string, unknown>[] = []
      for (let i = 0; i < 40 && !events.some((e) => e.status === 'revoked'); i++) {
        await sleepMs(250)
        events = (await webhooksFor(id)).map((w) => JSON.parse(w.body))
      }
      expect(events.filter((e) => e.status === 'revoked')).toEqual([
        expect.objectContaining({ kind: 'recurring_payment', status: 'revoked', recurringPaymentId }),
      ])
    })

    it('is for the backend, and only for an authorised VRP consent', async () => {
      const { id } = await consent()
      expect((await backendJson('DELETE', `/recurring-payments/${id}`, undefined, {})).status).toBe(401)
      const single = await payThrough('/payments', paymentBody())
      expect((await backendJson('DELETE', `/recurring-payments/${single.payment.id}`)).status).toBe(404)
    })
  })
})
