/**
 * GET /banks?type=payments and ?type=beta: Moneyhub's lists of the banks that
 * take payments and of those in beta ({issuer}/.well-known/payments-connections
 * and beta-connections, the official client's listPaymentsConnections and
 * listBetaConnections), mapped and cached like the other lists. Its stale copy
 * is tested in bank-list.test.ts, the one file that makes the mock's lists fail
 * (files of a project may run at once).
 */
import { SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { MOCK_BANK_ID, mockRequests } from '../helpers'

const banks = (query: string, headers: Record<string, string> = {}) => SELF.fetch(`http://proxy.test/banks${query}`, { headers })
const upstreamFetches = async (issuer: string, type: string) =>
  (await mockRequests()).filter((r) => (r.endpoint as string) === 'bank-list' && r.params.issuer === issuer && r.params.type === type)
    .length

describe('GET /banks?type=payments|beta', () => {
  it('answers the banks that take payments from payments-connections, cached with an ETag', async () => {
    const first = await banks('?type=payments')
    expect(first.status).toBe(200)
    const list = await first.json<{ id: string; name: string }[]>()
    expect(list.map((b) => b.id).sort()).toEqual([MOCK_BANK_ID, '0b4ac5f6c6c0bf6aee4e6e9eb3bd0d13'].sort())
    expect(await upstreamFetches('/oidc', 'payments')).toBeGreaterThan(0)
    const fetched = await upstreamFetches('/oidc', 'payments')
    const etag = first.headers.get('etag')!
    expect((await banks('?type=payments', { 'if-none-match': etag })).status).toBe(304)
    expect(await upstreamFetches('/oidc', 'payments')).toBe(fetched)
  })

  it('answers the beta banks from beta-connections', async () => {
    const list = await (await banks('?type=beta')).json<{ accountTypes: { beta: boolean }[] }[]>()
    expect(list.length).toBeGreaterThan(0)
    expect(list.every((b) => b.accountTypes.some((a) => a.beta))).toBe(true)
    expect(await upstreamFetches('/oidc', 'beta')).toBeGreaterThan(0)
  })

  it('refuses an unknown type with 400', async () => {
    const response = await banks('?type=paymentz')
    expect(response.status).toBe(400)
    expect((await response.json<{ error: string }>()).error).toBe('invalid_request')
  })
})
