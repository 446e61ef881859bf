/**
 * Who pays, as Moneyhub's official client says (readme, getPaymentAuthorizeUrl
 * and getReversePaymentAuthorizeUrl): payerType api-payer needs payer (an account
 * in full, checked as a payee is), which goes into the claim; payerId goes with
 * mh-user-account; a single payment also takes payerName and payerEmail. The
 * mock identity server takes what the Worker sends.
 */
import { describe, expect, it } from 'vitest'
import { expectRefusal, madeAtMockFor, paymentBody, payThrough, pushedRequestsOf, startPaymentAt } from '../helpers'

const payer = { name: 'Ada Lovelace', sortCode: '404040', accountNumber: '87654321' }

describe('the payer of a payment', () => {
  it('api-payer with payer: the payer goes into mh:payment, and the payment is made', async () => {
    const { payment, returned } = await payThrough(
      '/payments',
      paymentBody({ payerType: 'api-payer', payer, payerName: 'Ada Lovelace', payerEmail: 'ada@example.com' }),
    )
    expect(new URL(returned.headers.get('location')!).searchParams.get('status')).toBe('authorised')
    const [pushed] = await pushedRequestsOf(payment.id)
    expect(JSON.parse(pushed!.params.claims!).id_token['mh:payment'].value).toMatchObject({
      payerType: 'api-payer',
      payer,
      payerName: 'Ada Lovelace',
      payerEmail: 'ada@example.com',
    })
    expect(await madeAtMockFor(payment.id)).toHaveLength(1)
  })

  it.each([
    ['api-payer without payer', { payerType: 'api-payer' }, 'payer'],
    ['payer without payerType', { payer }, 'payer'],
    ['payer with mh-user-account', { payerType: 'mh-user-account', payerId: 'u1', payer }, 'payer'],
    [
      'a payer sort code with dashes',
      { payerType: 'api-payer', payer: { ...payer, sortCode: '40-40-40' } },
      'payer.sortCode: must be 6 digits',
    ],
    ['a payer without a name', { payerType: 'api-payer', payer: { ...payer, name: '' } }, 'payer.name'],
    ['payerId without payerType', { payerId: 'u1' }, 'payerId'],
    ['payerId with api-payer', { payerType: 'api-payer', payer, payerId: 'u1' }, 'payerId'],
    ['mh-user-account without payerId', { payerType: 'mh-user-account' }, 'payerId'],
    ['a payerEmail that is not one', { payerEmail: 'ada' }, 'payerEmail'],
  ])('refuses %s with 400 naming it', async (_, change, named) => {
    const response = await startPaymentAt('/payments', paymentBody(change))
    // The message names the field to fix.
    expect((await expectRefusal(response, 'invalid_request')).message).toContain(named)
  })

  it('a standing order or VRP consent takes mh-user-account only, as the readme says, and no payer', async () => {
    const order = {
      bankId: 'abc',
      payeeId: 'p1',
      reference: 'r',
      frequency: { repeat: 'Daily' },
      numberOfPayments: 2,
      firstPaymentAmount: 1,
      firstPaymentDate: '2027-01-01',
    }
    expect((await startPaymentAt('/standing-orders', { ...order, payerType: 'api-payer', payer })).status).toBe(400)
    expect((await startPaymentAt('/standing-orders', { ...order, payerType: 'mh-user-account', payerId: 'u1' })).status).toBe(201)
  })
})
