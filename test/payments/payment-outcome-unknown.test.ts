/**
 * Unknown is not failed (issue 17 item 1): once a payment kind's code is sent
 * to the token endpoint, the money may have moved. A timeout, a 5xx, an
 * id_token that fails its checks or a restart after the claim leave the
 * session `confirming` with the reason: the redirect, the status API and the
 * webhook say so, and none says `failed`. A connection keeps `failed` (no
 * money moves; the user starts again). An approved journey whose id_token
 * lacks its id claim is `authorised` (issue 16 item 6).
 */
import { runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import type { SessionCoordinator } from '../../src/objects/sessionCoordinator'
import {
  approvedWithFault,
  Browser,
  madeAtMockFor,
  paymentBody,
  paymentStatusOf,
  standingOrderBody,
  startedPayment,
  stubOf,
} from '../helpers'

/** A payment approved at the mock with `fault`: the redirect's query. (A timeout: test/short-deadlines/upstream-timeout.test.ts.) */
async function payWithFault(fault: string) {
  const { payment, returned } = await approvedWithFault('/payments', paymentBody(), fault)
  expect(returned.status).toBe(303)
  return { payment, redirect: Object.fromEntries(new URL(returned.headers.get('location')!).searchParams) }
}

describe('a payment whose outcome is unknown is confirming, never failed', () => {
  // Only one of RFC 6749 §5.2's errors says the server refused the code; any other answer leaves the outcome unknown.
  it.each([
    ['a 5xx', 'server_error_after_payment', 'token_endpoint_unavailable'],
    ['a 4xx without an OAuth error (a gateway in front of the token endpoint)', 'bare_4xx_after_payment', 'token_request_rejected'],
    [
      'a 4xx whose OAuth error is not one RFC 6749 §5.2 defines for the token endpoint',
      'odd_error_after_payment',
      'token_request_rejected',
    ],
  ])('%s after the payment was made', async (_, fault, reason) => {
    const { payment, redirect } = await payWithFault(fault)
    expect(redirect).toMatchObject({ status: 'confirming', reason })
    expect(await madeAtMockFor(payment.id)).toHaveLength(1)
    expect(await paymentStatusOf(payment.id)).toMatchObject({ status: 'confirming', reason })
  })

  it('the code refused with invalid_grant (RFC 6749 §5.2): nothing was made, and the payment is failed', async () => {
    const { payment, redirect } = await payWithFault('code_refused')
    expect(redirect).toMatchObject({ status: 'failed', error: 'token_request_rejected' })
    expect(await madeAtMockFor(payment.id)).toHaveLength(0)
    expect(await paymentStatusOf(payment.id)).toMatchObject({ status: 'failed', error: 'token_request_rejected' })
  })

  it('an id_token that fails its checks (too old, a rogue signature)', async () => {
    for (const [fault, reason] of [
      ['iat_old', 'id_token_iat_too_old'],
      ['rogue_signature', 'id_token_signature_invalid'],
    ]) {
      const { payment, redirect } = await payWithFault(fault!)
      expect(redirect).toMatchObject({ status: 'confirming', reason })
      expect(await madeAtMockFor(payment.id)).toHaveLength(1)
      expect(await paymentStatusOf(payment.id)).toMatchObject({ status: 'confirming', reason })
    }
  })

  it('a restart after the claim: the code is not sent again, and the outcome is unknown', async () => {
    const user = new Browser()
    const payment = await startedPayment('/payments', paymentBody())
    const back = await user.authorize(payment.authorizeUrl)
    await runInDurableObject(stubOf(payment.id), async (instance: SessionCoordinator, state) => {
      const held = (instance as unknown as { state: { claimedAt?: number } }).state
      held.claimedAt = Date.now()
      await state.storage.put('session', held)
    })
    const returned = await user.callback(back)
    expect(Object.fromEntries(new URL(returned.headers.get('location')!).searchParams)).toMatchObject({
      status: 'confirming',
      reason: 'exchange_interrupted',
    })
    expect(await paymentStatusOf(payment.id)).toMatchObject({ status: 'confirming', reason: 'exchange_interrupted' })
  })

  it('a 5xx before anything was made looks the same to the Worker: confirming, and reconciliation decides', async () => {
    const { payment, redirect } = await payWithFault('server_error')
    expect(redirect.status).toBe('confirming')
    expect(await madeAtMockFor(payment.id)).toHaveLength(0)
  })
})

describe('an approved journey whose id_token lacks its id claim is authorised (issue 16 item 6)', () => {
  it('a standing order: authorised, its id absent and the status says it is being looked for', async () => {
    const { payment: order } = await approvedWithFault('/standing-orders', standingOrderBody(), 'id_claim_missing')
    const status = await paymentStatusOf(order.id)
    expect(status).toMatchObject({ status: 'authorised', reason: 'id_pending' })
    expect(status.standingOrderId).toBeUndefined()
    expect(status.error).toBeUndefined()
  })
})
