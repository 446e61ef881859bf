/** The VRP consent routes from hono/client, typed by AppType: pay, read, revoke. */
import { env, SELF } from 'cloudflare:test'
import { hc } from 'hono/client'
import { describe, expect, it } from 'vitest'
import type { AppType } from '../../src/index'
import { APP_ORIGIN, MOCK_BANK_ID, payThrough } from '../helpers'

const proxyFetch = ((input: RequestInfo | URL, init?: RequestInit) => SELF.fetch(new Request(input, init))) as typeof fetch

describe('hc<AppType>(): a VRP consent in use', () => {
  const client = hc<AppType>('http://proxy.test', { fetch: proxyFetch, headers: { authorization: `Bearer ${env.BACKEND_API_KEY}` } })

  it('pays under the consent, reads it and revokes it — all typed', async () => {
    const { payment } = await payThrough('/recurring-payments', {
      bankId: MOCK_BANK_ID,
      payee: { name: 'Gym Ltd', sortCode: '400000', accountNumber: '11223344' },
      maximumIndividualAmount: 500,
      periodicLimits: [{ amount: 500, periodType: 'Month', periodAlignment: 'Calendar' }],
      type: ['Other'],
      returnTo: `${APP_ORIGIN}/done`,
    })
    const consent = client['recurring-payments'][':id']
    const paid = await consent.pay.$post(
      { param: { id: payment.id }, json: { amount: 100, payeeRef: 'Gym', payerRef: 'Gym membership' } },
      { headers: { 'idempotency-key': crypto.randomUUID() } },
    )
    expect(paid.status).toBe(201)
    const made = await paid.json()
    if (!('paymentId' in made)) throw new Error('no payment')
    expect(made.payment?.amount).toBe(100)

    const view = await (await consent.$get({ param: { id: payment.id }, query: {} })).json()
    if (!('payments' in view)) throw new Error('no consent')
    expect(view.payments.map((p) => p.paymentId)).toEqual([made.paymentId])

    const revoked = await consent.$delete({ param: { id: payment.id } })
    expect(revoked.status).toBe(200)
    const after = await revoked.json()
    if (!('status' in after)) throw new Error('not revoked')
    expect(after.status).toBe('revoked')
  })
})
