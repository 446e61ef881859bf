/**
 * POST /payees and GET /payees: the backend adds and lists payees at Moneyhub
 * through the Worker, which holds the client key and uses client-credentials
 * tokens (payee:create, payee:read) the app never sees.
 */
import { env, SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { getConfig } from '../../src/config'
import { clientTokenFor } from '../../src/oidc/identity'
import { readList } from '../../src/payments/lists'
import { backendAuth, expectRefusal, mockOrigin, mockRequests } from '../helpers'

const addPayee = (body: unknown, headers: Record<string, string> = backendAuth()) =>
  SELF.fetch('http://proxy.test/payees', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })
const listPayees = (query = '', headers: Record<string, string> = backendAuth()) =>
  SELF.fetch(`http://proxy.test/payees${query}`, { headers })

const acme = () => ({ name: `Acme ${crypto.randomUUID().slice(0, 8)}`, sortCode: '123456', accountNumber: '12345678' })

describe('payees', () => {
  it('adds a payee at Moneyhub with a payee:create client token and answers 201 with its id', async () => {
    const payee = acme()
    const response = await addPayee({ ...payee, externalId: 'acme-1' })
    expect(response.status).toBe(201)
    const created = await response.json<Record<string, unknown>>()
    expect(created).toMatchObject({ ...payee, externalId: 'acme-1', id: expect.any(String) })

    const grants = (await mockRequests()).filter((r) => r.endpoint === 'token' && r.params.grant_type === 'client_credentials')
    expect(grants.some((g) => g.params.scope === 'payee:create')).toBe(true)
  })

  it('lists the payees with a payee:read token', async () => {
    const payee = acme()
    const { id } = await (await addPayee(payee)).json<{ id: string }>()
    const response = await listPayees('?limit=1000')
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toBe('no-store')
    const { data } = await response.json<{ data: { id: string; name: string }[] }>()
    expect(data).toContainEqual(expect.objectContaining({ id, name: payee.name }))
    const grants = (await mockRequests()).filter((r) => r.endpoint === 'token' && r.params.grant_type === 'client_credentials')
    expect(grants.some((g) => g.params.scope === 'payee:read')).toBe(true)
  })

  it('keeps the client token for the next call instead of a grant per request', async () => {
    await addPayee(acme())
    // The token this isolate keeps (not a count of the mock's grants: other projects' Workers take theirs meanwhile).
    const config = await getConfig(env)
    const kept = await clientTokenFor(config, 'payee:create')
    expect((await addPayee(acme())).status).toBe(201)
    expect((await addPayee(acme())).status).toBe(201)
    expect((await clientTokenFor(config, 'payee:create')).access_token).toBe(kept.access_token)
  })

  it.each([
    ['a sort code with dashes', { sortCode: '12-34-56' }, 'sortCode: must be 6 digits'],
    ['an account number of 7 digits', { accountNumber: '1234567' }, 'accountNumber: must be 8 digits'],
    ['no name', { name: '' }, 'name: must not be empty'],
    ['an unknown member', { iban: 'GB00' }, 'iban'],
  ])('refuses %s with 400 naming the field, before calling Moneyhub', async (_, change, message) => {
    const error = await expectRefusal(await addPayee({ ...acme(), ...change }), 'invalid_request')
    // The message names the field and its rule: what the caller fixes.
    expect(error.message).toContain(message)
  })

  it('is for the backend only', async () => {
    expect((await addPayee(acme(), {})).status).toBe(401)
    expect((await addPayee(acme(), { authorization: 'Bearer wrong-key-wrong-key' })).status).toBe(401)
    expect((await listPayees('', { origin: 'https://app.example.com' })).status).toBe(401)
  })

  it('refuses a bad paging query with 400', async () => {
    expect((await listPayees('?limit=0')).status).toBe(400)
    expect((await listPayees('?limit=10&offset=0')).status).toBe(200)
  })

  it('states the rules in the OpenAPI document', async () => {
    const doc = await (
      await SELF.fetch('http://proxy.test/openapi.json')
    ).json<{
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { $ref?: string } }> } }>>
      components: { schemas: Record<string, { properties: Record<string, { pattern?: string; description?: string }> }> }
    }>()
    expect(doc.paths['/payees']?.get).toBeDefined()
    const ref = doc.paths['/payees']!.post!.requestBody!.content['application/json']!.schema.$ref!
    const schema = doc.components.schemas[ref.replace('#/components/schemas/', '')]!
    expect(schema.properties.sortCode).toMatchObject({ pattern: '^\\d{6}$', description: expect.any(String) })
    expect(schema.properties.accountNumber).toMatchObject({ pattern: '^\\d{8}$', description: expect.any(String) })
  })

  it('takes a new client token once when Moneyhub no longer honours the kept one', async () => {
    const config = await getConfig(env)
    const kept = await clientTokenFor(config, 'payee:read')
    expect((await fetch(`${mockOrigin()}/__mock/client-tokens/${kept.access_token}`, { method: 'DELETE' })).status).toBe(204)
    expect((await readList(config, 'payees', {}, 'http://proxy.test/payees')).data).toEqual(expect.any(Array))
    const fresh = await clientTokenFor(config, 'payee:read')
    expect(fresh.access_token).not.toBe(kept.access_token)
    // Issued by one payee:read grant (found by its token: other projects' Workers use the mock at the same time).
    const issuing = (await mockRequests()).filter((r) => r.endpoint === 'token' && r.answer?.access_token === fresh.access_token)
    expect(issuing).toEqual([expect.objectContaining({ params: expect.objectContaining({ scope: 'payee:read' }) })])
  })
})
