/**
 * The mock pays, and each payment kind works against it end to end without
 * the session machine: the kind's scope and claims are pushed (PAR), the user
 * approves at the mock's consent page, the code is exchanged, the id_token is
 * validated and the kind reads the created id from it. The payment exists only
 * once the code is exchanged, once, and readPayment follows it from
 * inProgress to completed (or rejected).
 */
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { getConfig } from '../../src/config'
import type { SessionKind } from '../../src/kinds/kind'
import { randomToken } from '../../src/util/encoding'
import {
  buildAuthorizeUrl,
  pushAuthorizationRequest,
  type AuthorizationRequest,
  type ClaimsRequest,
} from '../../src/oidc/authorizationRequest'
import { getIssuerMetadata } from '../../src/oidc/discovery'
import { verifyIdToken } from '../../src/oidc/idToken'
import { exchangeCode, TokenRequestRejected } from '../../src/oidc/tokenExchange'
import { paymentKind } from '../../src/kinds/payment'
import { recurringPaymentKind } from '../../src/kinds/recurringPayment'
import { reversePaymentKind } from '../../src/kinds/refund'
import { standingOrderKind } from '../../src/kinds/standingOrder'
import { forgetPayments, readPayment } from '../../src/payments/payments'
import { createPayee } from '../../src/payments/payees'
import { MOCK_BANK_ID, mockOrigin, mockRequests } from '../helpers'

interface MadeAtExchange {
  flow: string
  id: string
  state: string
  value: Record<string, unknown>
}
const madeFor = async (state: string) =>
  (await (await fetch(`${mockOrigin()}/__mock/payments`)).json<MadeAtExchange[]>()).filter((m) => m.state === state)

const payee = (name = 'Acme Ltd') => ({ name, sortCode: '123456', accountNumber: '12345678' })
const ref = () => `T${crypto.randomUUID().slice(0, 8)}`

/** The kind's request pushed to the mock, the consent page, and the user's approval: the code, not yet exchanged. */
async function authorise<R, O>(kind: SessionKind<R, O>, request: R) {
  const config = await getConfig(env)
  const metadata = await getIssuerMetadata(config.issuer, config.upstreamTimeoutMs)
  const authorization: AuthorizationRequest = {
    scope: kind.scope(request, config),
    claims: kind.claims(request),
    state: randomToken(16),
    nonce: randomToken(16),
    codeVerifier: randomToken(32),
  }
  const url = await buildAuthorizeUrl(config, metadata, authorization, 600)
  const consent = await (await fetch(url)).text()
  const approved = await fetch(`${url}&decision=approve`, { redirect: 'manual' })
  expect(approved.status).toBe(303)
  const code = new URL(approved.headers.get('location')!).searchParams.get('code')!
  const exchange = async () => {
    const { tokens } = await exchangeCode(config, metadata.token_endpoint, {
      code,
      codeVerifier: authorization.codeVerifier,
      requestedScope: authorization.scope,
    })
    const claims = await verifyIdToken(tokens.id_token, metadata, {
      issuer: config.issuer,
      clientId: config.clientId,
      nonce: authorization.nonce,
      accessToken: tokens.access_token,
      timeoutMs: config.upstreamTimeoutMs,
    })
    return kind.outcomeFromIdToken(claims)
  }
  return { config, state: authorization.state, code, consent, exchange }
}

/** A payment made and read until Moneyhub says it is final. */
async function paid(request: Partial<Parameters<typeof paymentKind.claims>[0]> = {}) {
  const flow = await authorise(paymentKind, {
    bankId: MOCK_BANK_ID,
    amount: 150,
    payee: payee(),
    payeeRef: ref(),
    payerRef: 'Shop',
    ...request,
  })
  const outcome = await flow.exchange()
  return { ...flow, paymentId: outcome.paymentId }
}

describe('a single payment at the mock', () => {
  it('shows the amount, the payee and the references at consent', async () => {
    const payeeRef = ref()
    const { consent } = await authorise(paymentKind, {
      bankId: MOCK_BANK_ID,
      amount: 150,
      payee: payee('Corner Shop'),
      payeeRef,
      payerRef: 'Corner shop',
    })
    expect(consent).toContain('<strong id="amount">£1.50</strong>')
    expect(consent).toContain('Corner Shop')
    expect(consent).toContain('12-34-56')
    expect(consent).toContain('12345678')
    expect(consent).toContain(payeeRef)
    expect(consent).toContain('Corner shop')
  })

  it('makes the payment at the code exchange, not at consent, and puts its id in the id_token', async () => {
    const payeeRef = ref()
    const flow = await authorise(paymentKind, { bankId: MOCK_BANK_ID, amount: 2599, payee: payee(), payeeRef, payerRef: 'Shop' })
    expect(await madeFor(flow.state)).toEqual([]) // approved, but not exchanged: nothing paid

    const outcome = await flow.exchange()
    expect(outcome).toEqual({ paymentId: expect.any(String), userId: expect.any(String), connectionId: expect.any(String) })
    const made = await madeFor(flow.state)
    expect(made).toEqual([expect.objectContaining({ flow: 'payment', id: outcome.paymentId })])
    expect(made[0]!.value).toMatchObject({ amount: 2599, payeeRef })
  })

  it('a code exchanged twice pays once: the second exchange is refused', async () => {
    const flow = await authorise(paymentKind, { bankId: MOCK_BANK_ID, amount: 100, payee: payee(), payeeRef: ref(), payerRef: 'Shop' })
    await flow.exchange()
    const again = await flow.exchange().catch((e: unknown) => e)
    expect(again).toBeInstanceOf(TokenRequestRejected)
    expect(again).toMatchObject({ oauthError: 'invalid_grant' })
    expect(await madeFor(flow.state)).toHaveLength(1)
    const exchanges = (await mockRequests()).filter((r) => r.endpoint === 'token' && r.params.code === flow.code)
    expect(exchanges.map((r) => r.status)).toEqual([200, 400])
  })

  it('readPayment follows it from inProgress to completed, and keeps each read a few seconds', async () => {
    const { config, paymentId } = await paid({ amount: 150 })
    const first = await readPayment(config, paymentId)
    expect(first).toMatchObject({ id: paymentId, status: 'inProgress', amount: 150, currency: 'GBP' })
    // Kept: the mock moves a payment on its second read, so a second upstream read would say completed.
    expect(await readPayment(config, paymentId)).toMatchObject({ status: 'inProgress' })
    forgetPayments()
    expect(await readPayment(config, paymentId)).toMatchObject({ status: 'completed', finalisedAt: expect.any(String) })
  })

  it('a payment to the configured payee is rejected by the bank', async () => {
    const { config, paymentId } = await paid({ payee: payee('Rejected Payee') })
    expect(await readPayment(config, paymentId)).toMatchObject({ status: 'inProgress' })
    forgetPayments()
    expect(await readPayment(config, paymentId)).toMatchObject({ status: 'rejected' })
  })

  it('pays a payee made with POST {identity}/payees, by its id', async () => {
    const config = await getConfig(env)
    const stored = await createPayee(config, payee('Known Payee'))
    const { paymentId } = await paid({ payee: undefined, payeeId: stored.id })
    expect(await readPayment(config, paymentId)).toMatchObject({ payeeId: stored.id })
  })

  it('readPayment of an unknown payment is a clear not-found', async () => {
    const config = await getConfig(env)
    await expect(readPayment(config, 'no-such-payment')).rejects.toMatchObject({ code: 'payment_not_found', status: 404 })
  })
})

describe('the other flows at the mock', () => {
  it('a standing order: consent shows the first amount; the id_token carries mh:standing_order', async () => {
    const reference = ref()
    const flow = await authorise(standingOrderKind, {
      bankId: MOCK_BANK_ID,
      payee: payee(),
      reference,
      frequency: { repeat: 'Monthly', day: 1 },
      numberOfPayments: 12,
      firstPaymentAmount: 50_000,
      firstPaymentDate: '2027-01-01',
    })
    expect(flow.consent).toContain('£500.00')
    expect(flow.consent).toContain(reference)
    expect(await madeFor(flow.state)).toEqual([])
    const outcome = await flow.exchange()
    expect(outcome.standingOrderId).toEqual((await madeFor(flow.state))[0]!.id)
  })

  it('a recurring payment (VRP): the id_token carries mh:recurring_payment', async () => {
    const flow = await authorise(recurringPaymentKind, {
      bankId: MOCK_BANK_ID,
      payee: payee(),
      maximumIndividualAmount: 10_000,
      periodicLimits: [{ amount: 50_000, periodType: 'Month', periodAlignment: 'Calendar' }],
      type: ['Sweeping'],
    })
    expect(flow.consent).toContain('£100.00')
    const outcome = await flow.exchange()
    expect(outcome.recurringPaymentId).toEqual((await madeFor(flow.state))[0]!.id)
  })

  it('a refund of a completed payment: the id_token carries mh:reverse_payment and the refund’s mh:payment', async () => {
    const { config, paymentId } = await paid({ amount: 1000, readRefundAccount: true })
    expect(await readPayment(config, paymentId)).toMatchObject({ status: 'inProgress', isReversible: false })
    forgetPayments()
    expect(await readPayment(config, paymentId)).toMatchObject({ status: 'completed', isReversible: true })

    const flow = await authorise(reversePaymentKind, { bankId: MOCK_BANK_ID, paymentId, amount: 400 })
    expect(flow.consent).toContain('£4.00')
    const outcome = await flow.exchange()
    expect(outcome).toMatchObject({ reversePaymentId: expect.any(String), paymentId: expect.any(String) })
    expect(await readPayment(config, outcome.paymentId!)).toMatchObject({ amount: 400, reversesPaymentId: paymentId, isReversible: false })
  })

  it('a completed payment made without readRefundAccount is not reversible: its record says so, and a refund is refused', async () => {
    const { config, paymentId } = await paid({ amount: 1000 })
    await readPayment(config, paymentId)
    forgetPayments()
    expect(await readPayment(config, paymentId)).toMatchObject({ status: 'completed', isReversible: false })
    const request = { bankId: MOCK_BANK_ID, paymentId, amount: 400 }
    const metadata = await getIssuerMetadata(config.issuer, config.upstreamTimeoutMs)
    const refused = await pushAuthorizationRequest(
      config,
      { par: metadata.pushed_authorization_request_endpoint!, token: metadata.token_endpoint },
      {
        scope: reversePaymentKind.scope(request, config),
        claims: reversePaymentKind.claims(request),
        state: randomToken(16),
        nonce: randomToken(16),
        codeVerifier: randomToken(32),
      },
    ).then(
      () => 'accepted',
      (error: Error) => error.message,
    )
    // The same refund of a payment made with readRefundAccount is accepted (the test above).
    expect(refused).toMatch(/invalid_request/)
  })
})

describe('the mock checks the claims’ shapes as Moneyhub documents them', () => {
  const value = { amount: 150, payee: payee(), payeeRef: 'Order', payerRef: 'Shop' }
  const pushed = async (scope: string, claims: ClaimsRequest['id_token']) => {
    const config = await getConfig(env)
    const metadata = await getIssuerMetadata(config.issuer, config.upstreamTimeoutMs)
    const request: AuthorizationRequest = {
      scope,
      state: randomToken(16),
      nonce: randomToken(16),
      codeVerifier: randomToken(32),
      claims: { id_token: { sub: { essential: true }, 'mh:con_id': { essential: true }, ...claims } },
    }
    return pushAuthorizationRequest(
      config,
      { par: metadata.pushed_authorization_request_endpoint!, token: metadata.token_endpoint },
      request,
    ).then(
      () => 'accepted',
      (e: Error) => e.message,
    )
  }
  const payment = (changed: Record<string, unknown>) => ({ 'mh:payment': { essential: true, value: { ...value, ...changed } } })
  const scope = `payment openid id:${MOCK_BANK_ID}`

  it('accepts a well-formed payment', async () => {
    expect(await pushed(scope, payment({}))).toBe('accepted')
  })

  it.each([
    ['a fractional amount', payment({ amount: 1.5 })],
    ['amount 0', payment({ amount: 0 })],
    ['an amount as a string', payment({ amount: '150' })],
    ['a payeeRef of 19 characters', payment({ payeeRef: 'x'.repeat(19) })],
    ['a payerRef of 19 characters', payment({ payerRef: 'x'.repeat(19) })],
    ['a sort code of 5 digits', payment({ payee: { ...payee(), sortCode: '12345' } })],
    ['an account number with a dash', payment({ payee: { ...payee(), accountNumber: '1234-567' } })],
    ['neither payeeId nor payee', payment({ payee: undefined })],
    ['a payeeId this client never made', payment({ payee: undefined, payeeId: 'not-a-payee' })],
    ['an unknown member', payment({ tip: 10 })],
    ['mh:payment that is not essential', { 'mh:payment': { value } }],
    ['mh:standing_order under the payment scope', { ...payment({}), 'mh:standing_order': { essential: true, value: {} } }],
  ])('refuses %s with invalid_request', async (_, claims) => {
    expect(await pushed(scope, claims)).toMatch(/invalid_request/)
  })

  it('refuses the payment scope without mh:payment, and mh:payment without the scope', async () => {
    expect(await pushed(scope, {})).toMatch(/invalid_request/)
    expect(await pushed(`openid id:${MOCK_BANK_ID}`, payment({}))).toMatch(/invalid_request/)
  })

  it('refuses a refund of a payment it does not know', async () => {
    const claims = {
      'mh:reverse_payment': { essential: true, value: { paymentId: 'no-such-payment' } },
      'mh:payment': { essential: true },
    }
    expect(await pushed(`reverse_payment openid id:${MOCK_BANK_ID}`, claims)).toMatch(/invalid_request/)
  })
})

describe("the mock's identity API wants client tokens", () => {
  it('401 without a token, 403 with a token lacking the scope', async () => {
    expect((await fetch(`${mockOrigin()}/payments/x`)).status).toBe(401)
    const config = await getConfig(env)
    const { requestClientToken } = await import('../../src/oidc/clientCredentials')
    const token = await requestClientToken(config, `${config.issuer}/token`, { scope: 'payee:read' })
    const answer = await fetch(`${mockOrigin()}/payments/x`, { headers: { authorization: `Bearer ${token.access_token}` } })
    expect(answer.status).toBe(403)
    expect(await answer.json()).toMatchObject({ error: 'insufficient_scope' })
  })
})
