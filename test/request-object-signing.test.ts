/**
 * The pushed request follows the client's registered request object signing (REQUEST_OBJECT_SIGNING_ALG): a signed
 * request object (RFC 9126 §3, RFC 9101 §4) when an algorithm is registered, plain parameters with `none`. The mock
 * refuses the other form, as Moneyhub does.
 */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { inject } from 'vitest'
import { readConfig } from '../src/config'
import worker from '../src/index'
import { Browser, ISSUER, MOCK_BANK_ID, paymentBody, pushedRequests, type PushedRequest } from './helpers'

/** The proxy with `vars` over the test env: another registered client, or another setting. */
function proxyWith(vars: Record<string, string>) {
  const changed = { ...env, ...vars }
  const serve = async (request: Request) => {
    const ctx = createExecutionContext()
    const response = await worker.fetch(request, changed, ctx)
    await waitOnExecutionContext(ctx)
    return response
  }
  const backend = (method: string, path: string, body?: unknown) =>
    serve(
      new Request(`http://proxy.test${path}`, {
        method,
        headers: { authorization: `Bearer ${env.BACKEND_API_KEY}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    )
  return { serve, backend }
}

const signed = proxyWith({})
const unsigned = proxyWith({ MONEYHUB_CLIENT_ID: 'test-client-unsigned', REQUEST_OBJECT_SIGNING_ALG: 'none' })

/** Starts a session at `path` (POST /sessions, /payments), opens it at the mock, and returns its pushed request. */
async function launched(proxy: ReturnType<typeof proxyWith>, path: string, body: unknown) {
  const started = await proxy.backend('POST', path, body)
  expect(started.status).toBe(201)
  const { id, authorizeUrl } = await started.json<{ id: string; authorizeUrl: string }>()
  const browser = new Browser(proxy.serve)
  const launch = await browser.open(authorizeUrl)
  const pushed = (await pushedRequests()).filter((r) => r.params.state?.startsWith(`${id}.`))
  expect(pushed).toHaveLength(1)
  const status = await (await proxy.backend('GET', `${path === '/sessions' ? '/sessions' : '/payments'}/${id}`)).json()
  return { id, browser, launch, pushed: pushed[0]!, status: status as Record<string, unknown> }
}

/** Through the mock bank and back, approved; the session's status as the backend reads it. */
async function approved(proxy: ReturnType<typeof proxyWith>, path: string, body: unknown) {
  const flow = await launched(proxy, path, body)
  expect(flow.launch.status).toBe(303)
  const back = await flow.browser.decide(flow.launch.headers.get('location')!)
  expect((await flow.browser.callback(back)).status).toBeLessThan(400)
  const status = await (await proxy.backend('GET', `${path === '/sessions' ? '/sessions' : '/payments'}/${flow.id}`)).json()
  return { ...flow, status: status as Record<string, unknown> }
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
    const { pushed, status } = await approved(signed, '/sessions', { bankId: MOCK_BANK_ID, userId: 'u-signed' })
    expectSignedRequestObject(pushed, inject('clientId'))
    expect(pushed.requestObject!.payload.claims).toEqual({
      id_token: { sub: { essential: true, value: 'u-signed' }, 'mh:con_id': { essential: true } },
    })
    expect(status).toMatchObject({ status: 'connected', userId: 'u-signed' })
  })

  it('pushes a payment as a signed request object, and the payment is authorised', async () => {
    const { pushed, status } = await approved(signed, '/payments', paymentBody({ amount: 321 }))
    expectSignedRequestObject(pushed, inject('clientId'))
    expect(pushed.requestObject!.payload.scope).toBe(`payment openid id:${MOCK_BANK_ID}`)
    expect((pushed.requestObject!.payload.claims as any).id_token['mh:payment'].value.amount).toBe(321)
    expect(status).toMatchObject({ kind: 'payment', status: 'authorised' })
  })

  it('is refused plain parameters by the identity server (invalid_request): the session cannot start', async () => {
    const flow = await launched(proxyWith({ REQUEST_OBJECT_SIGNING_ALG: 'none' }), '/sessions', { bankId: MOCK_BANK_ID })
    expect(flow.pushed.form.request).toBeUndefined()
    expect(flow.pushed.answer).toEqual({ error: 'invalid_request' })
    expect(flow.launch.headers.get('location') ?? '').not.toContain(ISSUER())
  })

  it('is refused a request object in another algorithm than the registered one (invalid_request_object)', async () => {
    // test-client-ps256 is registered with PS256; the proxy signs with its RS256 key.
    const flow = await launched(proxyWith({ MONEYHUB_CLIENT_ID: 'test-client-ps256' }), '/payments', paymentBody())
    expect(flow.pushed.requestObject!.header.alg).toBe('RS256')
    expect(flow.pushed.answer).toEqual({ error: 'invalid_request_object' })
    expect(flow.launch.headers.get('location') ?? '').not.toContain(ISSUER())
  })
})

describe('a client registered with request object signing none (REQUEST_OBJECT_SIGNING_ALG=none)', () => {
  it('pushes a connection as plain parameters, and connects', async () => {
    const { pushed, status } = await approved(unsigned, '/sessions', { bankId: MOCK_BANK_ID })
    expect(pushed.requestObject).toBeUndefined()
    expect(pushed.form).toMatchObject({ client_id: 'test-client-unsigned', scope: `openid id:${MOCK_BANK_ID}`, prompt: 'consent' })
    expect(JSON.parse(pushed.form.claims!)).toEqual({ id_token: { sub: { essential: true }, 'mh:con_id': { essential: true } } })
    expect(status).toMatchObject({ status: 'connected' })
  })

  it('pushes a payment as plain parameters, and the payment is authorised', async () => {
    const { pushed, status } = await approved(unsigned, '/payments', paymentBody({ amount: 654 }))
    expect(pushed.requestObject).toBeUndefined()
    expect(pushed.form.scope).toBe(`payment openid id:${MOCK_BANK_ID}`)
    expect(JSON.parse(pushed.form.claims!).id_token['mh:payment'].value.amount).toBe(654)
    expect(status).toMatchObject({ kind: 'payment', status: 'authorised' })
  })

  it('is refused a signed request object by the identity server (invalid_request_object)', async () => {
    const flow = await launched(proxyWith({ MONEYHUB_CLIENT_ID: 'test-client-unsigned' }), '/sessions', { bankId: MOCK_BANK_ID })
    expect(flow.pushed.form.request).toBeDefined()
    expect(flow.pushed.answer).toEqual({ error: 'invalid_request_object' })
    expect(flow.launch.headers.get('location') ?? '').not.toContain(ISSUER())
  })
})

describe('REQUEST_OBJECT_SIGNING_ALG', () => {
  it('defaults to the signing key’s algorithm; takes none; refuses an algorithm the key cannot sign with', async () => {
    expect((await readConfig({ ...env, REQUEST_OBJECT_SIGNING_ALG: '' })).requestObjectSigningAlg).toBe('RS256')
    expect((await readConfig({ ...env, REQUEST_OBJECT_SIGNING_ALG: 'none' })).requestObjectSigningAlg).toBe('none')
    await expect(readConfig({ ...env, REQUEST_OBJECT_SIGNING_ALG: 'ES256' })).rejects.toThrow(
      'REQUEST_OBJECT_SIGNING_ALG must be "none" or the signing key\'s algorithm (RS256',
    )
  })
})
