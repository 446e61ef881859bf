/**
 * A client registered with request object signing `none` (the unsigned-client configuration, vitest.config.ts:
 * REQUEST_OBJECT_SIGNING_ALG=none): the pushed request carries plain parameters (RFC 9126 §2.1), which the mock
 * accepts for that client only, as Moneyhub does. The signed form and the refusals: test/oidc/request-object-signing.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { approvedThrough, MOCK_BANK_ID, paymentBody } from '../helpers'

describe('a client registered with request object signing none', () => {
  it('pushes a connection as plain parameters, and connects', async () => {
    const { pushed, status } = await approvedThrough('/sessions', { bankId: MOCK_BANK_ID })
    expect(pushed.requestObject).toBeUndefined()
    expect(pushed.form).toMatchObject({ client_id: 'test-client-unsigned', scope: `openid id:${MOCK_BANK_ID}`, prompt: 'consent' })
    expect(JSON.parse(pushed.form.claims!)).toEqual({ id_token: { sub: { essential: true }, 'mh:con_id': { essential: true } } })
    expect(status).toMatchObject({ status: 'connected' })
  })

  it('pushes a payment as plain parameters, and the payment is authorised', async () => {
    const { pushed, status } = await approvedThrough('/payments', paymentBody({ amount: 654 }))
    expect(pushed.requestObject).toBeUndefined()
    expect(pushed.form.scope).toBe(`payment openid id:${MOCK_BANK_ID}`)
    expect(JSON.parse(pushed.form.claims!).id_token['mh:payment'].value.amount).toBe(654)
    expect(status).toMatchObject({ kind: 'payment', status: 'authorised' })
  })
})
