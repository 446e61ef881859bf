/**
 * A refund keeps every id its id_token gives. Moneyhub documents only `mh:payment` in the id_token
 * (https://docs.moneyhubenterprise.com/docs/payments-claim); a refund asks for `mh:payment` beside
 * `mh:reverse_payment` (moneyhub/moneyhub-api-client, src/get-auth-urls.ts getReversePaymentAuthorizeUrl). When
 * `mh:reverse_payment` is absent, `mh:payment` (the refund's own payment) is the refund's id: kept, and the refund is
 * authorised with it, never "id_pending" with the id thrown away.
 */
import { describe, expect, it } from 'vitest'
import { reversePaymentKind } from '../../src/kinds/refund'
import { forgetPayments } from '../../src/payments/payments'
import { APP_ORIGIN, Browser, MOCK_BANK_ID, paymentBody, paymentStatusOf, payThrough, startPaymentAt } from '../helpers'

const claims = (extra: Record<string, unknown>) => ({ iss: 'i', aud: 'a', exp: 2, iat: 1, sub: 'user-1', ...extra }) as never

describe('refund ids from the id_token', () => {
  it('keeps mh:payment when mh:reverse_payment is absent, and both when both come back', () => {
    expect(reversePaymentKind.outcomeFromIdToken(claims({ 'mh:payment': 'refund-pay-1' }))).toEqual({
      paymentId: 'refund-pay-1',
      userId: 'user-1',
    })
    expect(reversePaymentKind.outcomeFromIdToken(claims({ 'mh:payment': 'p', 'mh:reverse_payment': 'r' }))).toEqual({
      paymentId: 'p',
      reversePaymentId: 'r',
      userId: 'user-1',
    })
    expect(reversePaymentKind.outcomeFromIdToken(claims({ 'mh:reverse_payment': 'r' }))).toEqual({
      reversePaymentId: 'r',
      userId: 'user-1',
    })
    // Neither: the id is missing (the session is authorised, id_pending, and reconciliation looks for it).
    let missing: unknown
    try {
      reversePaymentKind.outcomeFromIdToken(claims({}))
    } catch (error) {
      missing = error
    }
    expect(missing).toMatchObject({ code: 'id_token_mh_reverse_payment_missing' })
  })

  it('end to end: an id_token with mh:payment only authorises the refund with that payment id', async () => {
    const { payment } = await payThrough('/payments', paymentBody({ amount: 1000, readRefundAccount: true }))
    const original = await paymentStatusOf(payment.id)
    const response = await startPaymentAt(`/payments/${payment.id}/reverse`, {
      bankId: MOCK_BANK_ID,
      amount: 400,
      returnTo: `${APP_ORIGIN}/r`,
    })
    expect(response.status).toBe(201)
    const refund = await response.json<{ id: string; authorizeUrl: string }>()
    const user = new Browser()
    const returned = await user.callback(await user.authorize(refund.authorizeUrl, 'approve', { fault: 'reverse_id_missing' }))
    expect(new URL(returned.headers.get('location')!).searchParams.get('status')).toBe('authorised')
    forgetPayments()
    const view = await paymentStatusOf(refund.id)
    expect(view).toMatchObject({ kind: 'reverse_payment', status: 'authorised', paymentId: expect.any(String), payment: { amount: 400 } })
    expect(view.paymentId).not.toBe(original.paymentId)
    expect(view).not.toHaveProperty('reason')
    expect(view).not.toHaveProperty('reversePaymentId')
  })
})
