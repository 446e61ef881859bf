/** Rotating keys: the first signing key signs and all are published; a second encryption key keeps old records readable. */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test'
import { decodeProtectedHeader } from 'jose'
import { describe, expect, it } from 'vitest'
import { inject } from 'vitest'
import worker from '../src/index'
import { Browser, tokenRequestFor } from './helpers'

function proxyWith(overrides: Partial<Env>) {
  const rotated = { ...env, ...overrides }
  const serve = async (request: Request) => {
    const ctx = createExecutionContext()
    const response = await worker.fetch(request, rotated, ctx)
    await waitOnExecutionContext(ctx)
    return response
  }
  const backend = (path: string, init: RequestInit = {}) =>
    serve(
      new Request(`http://proxy.test${path}`, {
        ...init,
        headers: { authorization: `Bearer ${env.BACKEND_API_KEY}`, 'content-type': 'application/json', ...init.headers },
      }),
    )
  return { serve, backend, browser: new Browser(serve) }
}

async function connectWith(proxy: ReturnType<typeof proxyWith>) {
  const { id, authorizeUrl } = await (
    await proxy.backend('/sessions', { method: 'POST', body: '{}' })
  ).json<{ id: string; authorizeUrl: string }>()
  const back = await proxy.browser.authorize(authorizeUrl)
  expect((await proxy.browser.callback(back)).status).toBe(200)
  return { id, code: back.searchParams.get('code')! }
}

describe('signing key rotation', () => {
  it('after moving the new (ES256) key first, it signs the client assertions, and both keys stay published', async () => {
    const keys = JSON.parse(inject('clientPrivateJwks')) as { keys: unknown[] }
    // A key of another algorithm signs request objects too: the portal's request object signing algorithm changes with it
    // (test-client-es256 is the client registered with ES256).
    const proxy = proxyWith({
      CLIENT_PRIVATE_JWKS: JSON.stringify({ keys: [...keys.keys].reverse() }),
      MONEYHUB_CLIENT_ID: 'test-client-es256',
    })
    const { code } = await connectWith(proxy)
    const assertion = (await tokenRequestFor(code)).params.client_assertion!
    expect(decodeProtectedHeader(assertion)).toMatchObject({ alg: 'ES256', kid: 'client-key-2' })
    const published = await (await proxy.serve(new Request('http://proxy.test/.well-known/jwks.json'))).json<{ keys: { kid: string }[] }>()
    expect(published.keys.map((k) => k.kid)).toEqual(['client-key-2', 'client-key-1'])
  })
})

describe('encryption key rotation', () => {
  const newKey = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')

  it('with NEW,OLD: records sealed under the old key still open, new ones are sealed under the new key', async () => {
    const before = proxyWith({})
    const old = await connectWith(before)
    const rotated = proxyWith({ TOKEN_ENCRYPTION_KEY: `${newKey},${env.TOKEN_ENCRYPTION_KEY}` })
    expect((await rotated.backend(`/sessions/${old.id}/tokens`)).status).toBe(200)

    const fresh = await connectWith(rotated)
    const kidOf = async (id: string) => JSON.parse((await env.SESSIONS.get(`session:${id}`))!).sealed.split('.')[1]
    expect(await kidOf(fresh.id)).not.toBe(await kidOf(old.id))

    // Drop the old key too early and the old record no longer opens: that is why both are kept for a while.
    const newOnly = proxyWith({ TOKEN_ENCRYPTION_KEY: newKey })
    expect(await (await newOnly.backend(`/sessions/${old.id}/tokens`)).json()).toMatchObject({ error: 'tokens_unreadable' })
    expect((await newOnly.backend(`/sessions/${fresh.id}/tokens`)).status).toBe(200)
  })

  it('a pending session sealed under a key no longer configured fails clearly at the callback', async () => {
    const before = proxyWith({})
    const { id, authorizeUrl } = await (
      await before.backend('/sessions', { method: 'POST', body: '{}' })
    ).json<{ id: string; authorizeUrl: string }>()
    const back = await before.browser.authorize(authorizeUrl)
    const newOnly = proxyWith({ TOKEN_ENCRYPTION_KEY: newKey })
    // From the browser that opened the link (with its binding cookie): only that browser may change the session.
    const cookie = [...before.browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    const response = await newOnly.serve(new Request(back, { redirect: 'manual', headers: { cookie } }))
    expect(response.status).toBe(200)
    expect(await (await newOnly.serve(new Request(`http://proxy.test/sessions/${id}`))).json()).toMatchObject({
      status: 'failed',
      error: 'session_unreadable',
    })
  })
})
