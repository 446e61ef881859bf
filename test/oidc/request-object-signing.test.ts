/**
 * The pushed request follows the client's registered request object signing (REQUEST_OBJECT_SIGNING_ALG): a signed
 * request object (RFC 9126 §3, RFC 9101 §4) when an algorithm is registered, plain parameters with `none`
 * (test/unsigned-client/). The mock refuses the other form, as Moneyhub does.
 */
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { inject } from 'vitest'
import { readConfig } from '../../src/config'
import type { ApiError } from '../../src/errors'
import { authorizeUrlFor, createSession } from '../../src/session/start'
import { SessionStore } from '../../src/storage/sessions'
import { approvedThrough, ISSUER, MOCK_BANK_ID, paymentBody, pushedRequestsOf, type PushedRequest } from '../helpers'

/**
 * The pushed request of a Worker whose settings differ from this one's by `vars` (another client registration, or
 * another setting), for a new connection: what the identity server answered, and why no authorisation URL was made.
 */
async function pushedWith(vars: Record<string, string>) {
  const config = await readConfig({ ...env, ...vars })
  const { record, ticket } = await createSession(config, new SessionStore(env.SESSIONS, config), { bankId: MOCK_BANK_ID })
  const refused = await authorizeUrlFor(config, ticket).then(
    () => undefined,
    (error: ApiError) => error,
  )
  const pushed = await pushedRequestsOf(record.id)
  expect(pushed).toHaveLength(1)
  return { refused, pushed: pushed[0]! }
}

const AUTHENTICATION = ['client_assertion', 'client_assertion_type', 'client_id']

function expectSignedRequestObject(pushed: PushedRequest, clientId: string) {
  expect(Object.keys(pushed.form).sort()).toEqual([...AUTHENTICATION, 'request'])
  expect(pushed.form.client_id).toBe(clientId)
  const { header, payload } = pushed.requestObject!
  expect(header).toEqual({ alg: 'RS256', kid: 'client-key-1', typ: 'oauth-authz-req+jwt' })
  expect(payload).toMatchObject({ iss: clientId, aud: ISSUER(), client_id: clientId, redirect_uri: inject('redirectUri') })
  expect(payload.nbf).toBe(payload.iat)
  expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(300)
  expect(payload.jti).toMatch(/^[A-Za-z0-9_-]{16,}$/)
  // Every parameter the plain form holds, inside.
  for (const name of ['response_type', 'scope', 'state', 'nonce', 'prompt', 'claims', 'code_challenge', 'code_challenge_method'])
    expect(payload[name]).toBeDefined()
}

describe('a client registered with a request object signing algorithm (the default: the key’s own)', () => {
  it('pushes a connection as a signed request object, and connects', async () => {
    const { pushed, status } = await approvedThrough('/sessions', { bankId: MOCK_BANK_ID, userId: 'u-signed' })
    expectSignedRequestObject(pushed, inject('clientId'))
    expect(pushed.requestObject!.payload.claims).toEqual({
      id_token: { sub: { essential: true, value: 'u-signed' }, 'mh:con_id': { essential: true } },
    })
    expect(status).toMatchObject({ status: 'connected', userId: 'u-signed' })
  })

  it('pushes a payment as a signed request object, and the payment is authorised', async () => {
    const { pushed, status } = await approvedThrough('/payments', paymentBody({ amount: 321 }))
    expectSignedRequestObject(pushed, inject('clientId'))
    expect(pushed.requestObject!.payload.scope).toBe(`payment openid id:${MOCK_BANK_ID}`)
    expect((pushed.requestObject!.payload.claims as any).id_token['mh:payment'].value.amount).toBe(321)
    expect(status).toMatchObject({ kind: 'payment', status: 'authorised' })
  })

  it('is refused plain parameters by the identity server (invalid_request): the session cannot start', async () => {
    const flow = await pushedWith({ REQUEST_OBJECT_SIGNING_ALG: 'none' })
    expect(flow.pushed.form.request).toBeUndefined()
    expect(flow.pushed.answer).toEqual({ error: 'invalid_request' })
    expect(flow.refused).toMatchObject({ code: 'par_rejected' })
  })

  it('is refused a request object in another algorithm than the registered one (invalid_request_object)', async () => {
    // test-client-ps256 is registered with PS256; the proxy signs with its RS256 key.
    const flow = await pushedWith({ MONEYHUB_CLIENT_ID: 'test-client-ps256' })
    expect(flow.pushed.requestObject!.header.alg).toBe('RS256')
    expect(flow.pushed.answer).toEqual({ error: 'invalid_request_object' })
    expect(flow.refused).toMatchObject({ code: 'par_rejected' })
  })
})

describe('a client registered with request object signing none (its flows: test/unsigned-client/)', () => {
  it('is refused a signed request object by the identity server (invalid_request_object)', async () => {
    const flow = await pushedWith({ MONEYHUB_CLIENT_ID: 'test-client-unsigned' })
    expect(flow.pushed.form.request).toBeDefined()
    expect(flow.pushed.answer).toEqual({ error: 'invalid_request_object' })
    expect(flow.refused).toMatchObject({ code: 'par_rejected' })
  })
})

describe('REQUEST_OBJECT_SIGNING_ALG', () => {
  it('defaults to the signing key’s algorithm; takes none; refuses an algorithm the key cannot sign with', async () => {
    expect((await readConfig({ ...env, REQUEST_OBJECT_SIGNING_ALG: '' })).requestObjectSigningAlg).toBe('RS256')
    expect((await readConfig({ ...env, REQUEST_OBJECT_SIGNING_ALG: 'none' })).requestObjectSigningAlg).toBe('none')
    await expect(readConfig({ ...env, REQUEST_OBJECT_SIGNING_ALG: 'ES256' })).rejects.toMatchObject({
      name: 'ConfigError',
      problems: [expect.objectContaining({ variable: 'REQUEST_OBJECT_SIGNING_ALG' })],
    })
  })
})
