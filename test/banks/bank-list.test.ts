/** GET /banks: Moneyhub's published list, mapped, cached at the edge with an ETag, and served from the last good copy when the upstream is down. */
import { createExecutionContext, env, SELF, waitOnExecutionContext } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { getConfig } from '../../src/config'
import worker from '../../src/index'
import { bankList, forgetBankLists } from '../../src/storage/bankLists'
import { APP_ORIGIN, MOCK_BANK_ID, mockOrigin, mockRequests } from '../helpers'

const banks = (query = '', headers: Record<string, string> = {}) => SELF.fetch(`http://proxy.test/banks${query}`, { headers })
const upstreamFetches = async (issuer: string, type: string) =>
  (await mockRequests()).filter((r) => (r.endpoint as string) === 'bank-list' && r.params.issuer === issuer && r.params.type === type)
    .length

interface Bank {
  id: string
  name: string
  type: string
  bankRef: string
  iconUrl: string
  accountTypes: { type: string; beta: boolean }[]
  userTypes: string[]
}

describe('GET /banks', () => {
  it('answers the published list mapped to what a picker needs, the test bank among them', async () => {
    const response = await banks()
    expect(response.status).toBe(200)
    const list = await response.json<Bank[]>()
    expect(list.find((b) => b.id === MOCK_BANK_ID)).toEqual({
      id: MOCK_BANK_ID,
      name: 'Moneyhub Open Banking Mock',
      type: 'test',
      bankRef: 'moneyhub-mock',
      // The list names the icon (mock/src/bankLists.ts); without one it is {identity}/bank-icons/:bankRef.
      iconUrl: 'https://identity.moneyhub.co.uk/bank-icons/moneyhub-mock',
      accountTypes: [
        { type: 'cash:current', beta: false },
        { type: 'card', beta: false },
      ],
      userTypes: ['personal', 'business'],
      country: 'GB',
      isBeta: false,
      payments: ['domestic'],
      status: { sync: 'AVAILABLE', auth: 'AVAILABLE' },
    })
    // Members beyond those are not passed on (parentRef).
    const northwind = list.find((b) => b.bankRef === 'northwind')!
    expect(Object.keys(northwind).sort()).toEqual(
      ['accountTypes', 'bankRef', 'country', 'iconUrl', 'id', 'isBeta', 'name', 'payments', 'status', 'type', 'userTypes'].sort(),
    )
  })

  it('answers each type from its own list, and refuses an unknown type with 400', async () => {
    for (const type of ['api', 'test'] as const) {
      const list = await (await banks(`?type=${type}`)).json<Bank[]>()
      expect(list.length).toBeGreaterThan(0)
      expect(list.every((b) => b.type === type)).toBe(true)
    }
    expect((await banks('?type=bogus')).status).toBe(400)
    expect((await banks('?type=all&extra=1')).status).toBe(400)
  })

  it('drops a malformed entry and says how many, rather than failing the list', async () => {
    const response = await banks('?type=legacy')
    expect(response.status).toBe(200)
    expect(response.headers.get('x-dropped-entries')).toBe('1')
    expect((await response.json<Bank[]>()).map((b) => b.name)).toEqual(['Fabrikam Pensions'])
  })

  it('is cached at the edge: a second ask does not reach the upstream; If-None-Match gets 304', async () => {
    const first = await banks('?type=api')
    const etag = first.headers.get('etag')!
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/)
    expect(first.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/)
    const fetched = await upstreamFetches('/oidc', 'api')
    const second = await banks('?type=api')
    expect(second.headers.get('etag')).toBe(etag)
    const body = await first.text()
    expect(await second.text()).toBe(body)
    const notModified = await banks('?type=api', { 'if-none-match': `W/${etag}` })
    expect(notModified.status).toBe(304)
    expect(notModified.headers.get('etag')).toBe(etag)
    expect(await notModified.text()).toBe('')
    expect((await banks('?type=api', { 'if-none-match': '"something-else"' })).status).toBe(200)
    expect(await upstreamFetches('/oidc', 'api')).toBe(fetched)
    // The copy is in the data centre's cache too, for the other isolates.
    const edgeKey = `https://moneyhub-edge-connect.internal/banks?url=${encodeURIComponent(`${mockOrigin()}/oidc/.well-known/api-connections`)}`
    // (the list as published, mapped: the health marks are added as it is served)
    const kept = await (await caches.default.match(edgeKey))!.json<{ body: string }>()
    expect(JSON.parse(kept.body).map((b: Bank) => b.id)).toEqual(JSON.parse(body).map((b: Bank) => b.id))
  })

  it('serves the last good copy, marked X-Stale, when the upstream fails; 502 when there is none', async () => {
    // An issuer of its own, fetched again on every ask (max age 0), whose lists the mock can make fail.
    const proxyEnv = { ...env, MONEYHUB_ISSUER: `${mockOrigin()}/nopar/oidc`, BANK_LIST_MAX_AGE_SECONDS: '0' }
    const ask = async (type: string) => {
      const ctx = createExecutionContext()
      const response = await worker.fetch(new Request(`http://proxy.test/banks?type=${type}`), proxyEnv, ctx)
      await waitOnExecutionContext(ctx)
      return response
    }
    const setFailing = (fail: boolean) =>
      fetch(`${mockOrigin()}/__mock/bank-lists?issuer=/nopar/oidc&fail=${fail ? 1 : 0}`, { method: 'POST' })

    const good = await ask('test')
    expect(good.status).toBe(200)
    expect(good.headers.get('x-stale')).toBeNull()
    const goodBody = await good.text()
    const before = await upstreamFetches('/nopar/oidc', 'test')
    await setFailing(true)
    try {
      const stale = await ask('test')
      expect(stale.status).toBe(200)
      expect(stale.headers.get('x-stale')).toBe('true')
      expect(stale.headers.get('cache-control')).toBe('no-cache')
      expect(await stale.text()).toBe(goodBody)
      // The upstream was asked, and failed.
      expect(await upstreamFetches('/nopar/oidc', 'test')).toBe(before + 1)

      const none = await ask('api')
      expect(none.status).toBe(502)
      expect(await none.json()).toMatchObject({ error: 'bank_list_unavailable' })
    } finally {
      await setFailing(false)
    }
    const recovered = await ask('test')
    expect(recovered.headers.get('x-stale')).toBeNull()
  })

  it("a new isolate falls back on the data centre's copy (Cache API) when the upstream fails", async () => {
    const config = { ...(await getConfig(env)), issuer: `${mockOrigin()}/nopar/oidc`, bankListMaxAgeSeconds: 0 }
    const good = await bankList(config, 'all')
    expect(good.stale).toBe(false)
    forgetBankLists() // this isolate's copy is gone, as in a fresh isolate
    await fetch(`${mockOrigin()}/__mock/bank-lists?issuer=/nopar/oidc&fail=1`, { method: 'POST' })
    try {
      expect(await bankList(config, 'all')).toMatchObject({ stale: true, body: good.body, etag: good.etag })
    } finally {
      await fetch(`${mockOrigin()}/__mock/bank-lists?issuer=/nopar/oidc&fail=0`, { method: 'POST' })
    }
  })

  it('allows CORS from the allowed origins only, exposing ETag and X-Stale', async () => {
    const allowed = await banks('', { origin: APP_ORIGIN })
    expect(allowed.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN)
    expect(allowed.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('x-stale')
    const other = await banks('', { origin: 'https://evil.example' })
    expect(other.headers.get('access-control-allow-origin')).toBeNull()
  })
  it('serves the last good payments list, marked X-Stale, when the upstream fails', async () => {
    const proxyEnv = { ...env, MONEYHUB_ISSUER: `${mockOrigin()}/nopar/oidc`, BANK_LIST_MAX_AGE_SECONDS: '0' }
    const ask = async () => {
      const ctx = createExecutionContext()
      const response = await worker.fetch(new Request('http://proxy.test/banks?type=payments'), proxyEnv, ctx)
      await waitOnExecutionContext(ctx)
      return response
    }
    const failing = (fail: boolean) =>
      fetch(`${mockOrigin()}/__mock/bank-lists?issuer=/nopar/oidc&type=payments&fail=${fail ? 1 : 0}`, { method: 'POST' })
    const good = await ask()
    const body = await good.text()
    await failing(true)
    try {
      const stale = await ask()
      expect(stale.status).toBe(200)
      expect(stale.headers.get('x-stale')).toBe('true')
      expect(await stale.text()).toBe(body)
    } finally {
      await failing(false)
    }
  })
})
