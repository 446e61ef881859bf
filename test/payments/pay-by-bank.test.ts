/**
 * Pay by bank, end to end: POST /payments as the app backend, the user
 * approves at the (mock) bank, the callback exchanges the code once, and
 * GET /payments/:id says `authorised` with the payment id and Moneyhub's own
 * record of the payment, from inProgress to completed. A refused payment
 * (the user denies, or the bank rejects the payee) says so. A payment session
 * is a session of another kind on the same machine: no token set is kept.
 */
import { env, SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { forgetPayments } from '../../src/payments/payments'
import {
  APP_ORIGIN,
  backendJson,
  Browser,
  madeAtMockFor,
  MOCK_BANK_ID,
  paymentBody,
  paymentStatus,
  paymentStatusOf,
  payThrough,
  pushedRequestsOf,
  sleepMs,
  startedPayment,
  startPaymentAt,
  started,
  tokens,
  webhooksFor,
} from '../helpers'

const returnedTo = (response: Response) => new URL(response.headers.get('location')!)

/** Moneyhub's record is kept 3 s in the isolate (shared with these tests): forget it, so that the next read asks the mock again. */
async function nextRead(id: string) {
  forgetPayments()
  return paymentStatusOf(id)
}

describe('POST /payments', () => {
  it('answers like POST /sessions, with a secret for the page, and pushes the payment in its claims', async () => {
    const response = await startPaymentAt('/payments', paymentBody({ amount: 2599 }))
    expect(response.status).toBe(201)
    expect(response.headers.get('cache-control')).toBe('no-store')
    const payment = await response.json<Record<string, any>>()
    expect(payment).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      authorizeUrl: expect.stringContaining(`/sessions/${payment.id}/authorize?ticket=`),
      statusUrl: `http://proxy.test/payments/${payment.id}`,
      expiresAt: expect.any(Number),
      secret: expect.any(String),
    })
    expect(await paymentStatusOf(payment.id)).toMatchObject({ id: payment.id, kind: 'payment', status: 'pending', bankId: MOCK_BANK_ID })

    await new Browser().launch(payment.authorizeUrl)
    const [pushed] = await pushedRequestsOf(payment.id)
    expect(pushed!.params.scope).toBe(`payment openid id:${MOCK_BANK_ID}`)
    const claims = JSON.parse(pushed!.params.claims!).id_token
    expect(claims['mh:con_id']).toEqual({ essential: true })
    expect(claims['mh:payment']).toEqual({
      essential: true,
      value: {
        amount: 2599,
        payee: { name: 'Corner Shop', sortCode: '123456', accountNumber: '12345678' },
        payeeRef: expect.any(String),
        payerRef: 'Corner shop',
      },
    })
  })

  it('needs the backend key, checked before the body is read', async () => {
    const response = await SELF.fetch('http://proxy.test/payments', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: APP_ORIGIN },
      body: '{not json',
    })
    expect(response.status).toBe(401)
  })
})

describe('a payment, approved', () => {
  it('returns the user authorised, and GET /payments/:id follows Moneyhub’s record from inProgress to completed', async () => {
    const { payment, returned } = await payThrough('/payments', paymentBody())
    expect(returned.status).toBe(303)
    const back = returnedTo(returned)
    expect(back.origin + back.pathname).toBe(`${APP_ORIGIN}/paid`)
    expect(Object.fromEntries(back.searchParams)).toEqual({ session: payment.id, status: 'authorised' })

    const made = await madeAtMockFor(payment.id)
    expect(made).toEqual([expect.objectContaining({ flow: 'payment' })])
    const first = await paymentStatusOf(payment.id)
    expect(first).toMatchObject({
      id: payment.id,
      kind: 'payment',
      status: 'authorised',
      paymentId: made[0]!.id,
      payment: { id: made[0]!.id, status: 'inProgress', amount: 150, currency: 'GBP' },
    })
    expect(await nextRead(payment.id)).toMatchObject({
      status: 'authorised',
      payment: { status: 'completed', finalisedAt: expect.any(String) },
    })
  })

  it('keeps no token set: there is nothing to refresh, and GET /sessions/:id/tokens is 409', async () => {
    const { payment } = await payThrough('/payments', paymentBody())
    const answer = await tokens(payment.id)
    expect(answer.status).toBe(409)
    expect(await answer.json()).toMatchObject({ error: 'session_not_connected' })
    expect((await backendJson('POST', `/sessions/${payment.id}/refresh`)).status).toBe(409)
  })

  it('reports the outcome and the payment id to the webhook, once', async () => {
    const { payment } = await payThrough('/payments', paymentBody())
    const { paymentId } = await paymentStatusOf(payment.id)
    let delivered = await webhooksFor(payment.id)
    for (let i = 0; i < 20 && delivered.length === 0; i++) delivered = (await sleepMs(250), await webhooksFor(payment.id))
    expect(delivered.map((w) => JSON.parse(w.body))).toEqual([
      expect.objectContaining({ eventId: `${payment.id}.authorised`, kind: 'payment', status: 'authorised', paymentId }),
    ])
  })

  it('without returnTo, the user sees a page saying the payment is authorised', async () => {
    const { returned } = await payThrough('/payments', paymentBody({ returnTo: undefined }))
    expect(returned.status).toBe(200)
    expect(await returned.text()).toContain('Your payment is authorised')
  })
})

describe('a refused payment', () => {
  it('the user denies at the bank: failed, with the reason, and nothing is paid', async () => {
    const { payment, returned } = await payThrough('/payments', paymentBody(), 'deny')
    expect(Object.fromEntries(returnedTo(returned).searchParams)).toEqual({ session: payment.id, status: 'failed', error: 'access_denied' })
    const view = await paymentStatusOf(payment.id)
    expect(view).toMatchObject({ status: 'failed', error: 'access_denied' })
    expect(view).not.toHaveProperty('paymentId')
    expect(await madeAtMockFor(payment.id)).toEqual([])
  })

  it('the bank rejects the payee: authorised, then Moneyhub’s record says rejected', async () => {
    const body = paymentBody({ payee: { name: 'Rejected Payee', sortCode: '123456', accountNumber: '12345678' } })
    const { payment } = await payThrough('/payments', body)
    expect(await paymentStatusOf(payment.id)).toMatchObject({ status: 'authorised', payment: { status: 'inProgress' } })
    expect(await nextRead(payment.id)).toMatchObject({ status: 'authorised', payment: { status: 'rejected' } })
  })
})

describe('GET /payments/:id', () => {
  it('long-polls (?wait) and streams (/events) from the session’s Durable Object, as for sessions', async () => {
    const user = new Browser()
    const payment = await startedPayment('/payments', paymentBody())
    const identityUrl = await user.launch(payment.authorizeUrl)
    const waiting = paymentStatus(payment.id, '?wait=20')
    const events = await backendJson('GET', `/payments/${payment.id}/events`)
    expect(events.headers.get('content-type')).toMatch(/^text\/event-stream/)
    await user.callback(await user.decide(identityUrl))
    expect(await (await waiting).json()).toMatchObject({ status: 'authorised', paymentId: expect.any(String) })
    const stream = await events.text()
    const statuses = [...stream.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]!))
    expect(statuses.map((s) => s.status)).toEqual(['pending', 'authorised'])
    expect(statuses[1]).toMatchObject({ kind: 'payment', paymentId: expect.any(String) })
    expect(statuses[1]).not.toHaveProperty('scope')
  })

  it('answers the page that holds the secret, and nobody else without the backend key', async () => {
    const payment = await startedPayment('/payments', paymentBody())
    const anonymous = await SELF.fetch(`http://proxy.test/payments/${payment.id}`, { headers: { origin: APP_ORIGIN } })
    expect(anonymous.status).toBe(403)
    const page = await SELF.fetch(`http://proxy.test/payments/${payment.id}`, {
      headers: { origin: APP_ORIGIN, 'x-session-secret': payment.secret },
    })
    expect(page.status).toBe(200)
    expect(page.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN)
    expect(await page.json()).toMatchObject({ status: 'pending' })
  })

  it('a link left unopened past its deadline reads expired (not 404): the record outlives it', async () => {
    const payment = await startedPayment('/payments', paymentBody())
    const key = `session:${payment.id}`
    const record = await env.SESSIONS.get<Record<string, unknown>>(key, 'json')
    await env.SESSIONS.put(key, JSON.stringify({ ...record, expiresAt: Math.floor(Date.now() / 1000) - 1 }))
    expect(await paymentStatusOf(payment.id)).toMatchObject({ status: 'expired' })
  })

  it('is 404 for a connection’s session and for an unknown id', async () => {
    const connection = await started({})
    expect((await paymentStatus(connection.id)).status).toBe(404)
    expect(await (await paymentStatus('A'.repeat(22))).json()).toMatchObject({ error: 'payment_not_found' })
  })
})
