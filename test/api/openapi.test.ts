/** GET /openapi.json lists every route the app has, and real answers match the schemas it states. */
import { Validator } from '@cfworker/json-schema'
import { SELF } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import app from '../../src/index'
import {
  authorize,
  backendAuth,
  backendJson,
  callback,
  connectAccount,
  inlineSchemaRefs,
  refresh,
  registerUser,
  remove,
  started,
} from '../helpers'

type Doc = {
  openapi: string
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>
  components?: { schemas?: Record<string, unknown> }
}

const loadDoc = async () => (await (await SELF.fetch('http://proxy.test/openapi.json')).json()) as Doc

async function expectMatches(doc: Doc, path: string, method: string, response: Response) {
  const operation = doc.paths[path]?.[method]
  expect(operation, `${method} ${path} is documented`).toBeDefined()
  const answer = operation!.responses[String(response.status)]
  expect(answer, `${method} ${path} documents status ${response.status}`).toBeDefined()
  const schema = answer!.content?.['application/json']?.schema
  if (!schema) return
  const result = new Validator(inlineSchemaRefs(schema, doc.components?.schemas ?? {}) as object, '2020-12', false).validate(
    await response.json(),
  )
  expect(result.errors, `${method} ${path} ${response.status}`).toEqual([])
}

describe('the OpenAPI document', () => {
  it('is a static asset any origin may read (Swagger UI elsewhere), not part of the Worker', async () => {
    // What Cloudflare serves before the Worker runs: public/openapi.json with public/_headers.
    const asset = await env.ASSETS.fetch('http://proxy.test/openapi.json', { headers: { origin: 'https://swagger.example.com' } })
    expect(asset.status).toBe(200)
    expect(asset.headers.get('access-control-allow-origin')).toBe('*')
    expect(asset.headers.get('cross-origin-resource-policy')).toBeNull()
    expect(((await asset.json()) as Doc).openapi).toMatch(/^3\./)
  })

  it('is served at /openapi.json and lists every route of the app', async () => {
    const doc = await loadDoc()
    expect(doc.openapi).toMatch(/^3\./)
    const routes = app.routes
      .filter((r) => r.method !== 'ALL' && r.path !== '/openapi.json' && !r.path.includes('*'))
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:([A-Za-z]+)/g, '{$1}')}`)
    expect(routes.length).toBeGreaterThanOrEqual(12)
    for (const route of new Set(routes)) {
      const [method, path] = route.split(' ') as [string, string]
      expect(doc.paths[path]?.[method], route).toBeDefined()
    }
  })

  it('real answers match the documented schemas', async () => {
    const doc = await loadDoc()
    const json = { 'content-type': 'application/json', ...backendAuth() }

    const start = await SELF.fetch('http://proxy.test/sessions', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ offlineAccess: true }),
    })
    const session = (await start.clone().json()) as { id: string; authorizeUrl: string }
    await expectMatches(doc, '/sessions', 'post', start)
    await expectMatches(
      doc,
      '/sessions',
      'post',
      await SELF.fetch('http://proxy.test/sessions', { method: 'POST', headers: json, body: '{"bankId":1}' }),
    )
    await expectMatches(doc, '/sessions/{id}', 'get', await SELF.fetch(`http://proxy.test/sessions/${session.id}`))

    await callback(await authorize(session.authorizeUrl))
    await expectMatches(doc, '/sessions/{id}', 'get', await SELF.fetch(`http://proxy.test/sessions/${session.id}`))
    await expectMatches(
      doc,
      '/sessions/{id}/tokens',
      'get',
      await SELF.fetch(`http://proxy.test/sessions/${session.id}/tokens`, { headers: backendAuth() }),
    )
    await expectMatches(doc, '/sessions/{id}/tokens', 'get', await SELF.fetch(`http://proxy.test/sessions/${session.id}/tokens`))
    await expectMatches(doc, '/sessions/{id}/refresh', 'post', await refresh(session.id))
    await expectMatches(doc, '/sessions/{id}', 'get', await SELF.fetch('http://proxy.test/sessions/AAAAAAAAAAAAAAAAAAAAAA'))

    const failing = await connectAccount({}, 'approve', { fault: 'revocation_error' })
    await expectMatches(doc, '/sessions/{id}', 'delete', await remove(failing.session.id))
    await expectMatches(doc, '/sessions/{id}/refresh', 'post', await refresh((await started({})).id))
    await expectMatches(doc, '/.well-known/jwks.json', 'get', await SELF.fetch('http://proxy.test/.well-known/jwks.json'))
    await expectMatches(doc, '/health', 'get', await SELF.fetch('http://proxy.test/health'))
    // A browser route answers JSON to a program that asks for it (people get a page).
    const asProgram = { redirect: 'manual' as const, headers: { accept: 'application/json' } }
    await expectMatches(doc, '/callback', 'get', await SELF.fetch('http://proxy.test/callback?state=x', asProgram))
  })
})

describe('the OpenAPI document: users, tokens, banks', () => {
  it('real answers match the documented schemas', async () => {
    const doc = await loadDoc()
    const created = await backendJson('POST', '/users', { clientUserId: 'openapi' })
    const { userId } = (await created.clone().json()) as { userId: string }
    await expectMatches(doc, '/users', 'post', created)
    await expectMatches(doc, '/users', 'post', await backendJson('POST', '/users', { clientUserId: 1 }))
    await expectMatches(doc, '/users/{userId}', 'get', await backendJson('GET', `/users/${userId}`))
    await expectMatches(doc, '/users/{userId}', 'delete', await backendJson('DELETE', `/users/${userId}`))
    await expectMatches(doc, '/users/{userId}', 'get', await backendJson('GET', `/users/${userId}`))
    const dataUser = await registerUser()
    await expectMatches(doc, '/tokens', 'post', await backendJson('POST', '/tokens', { scopes: ['accounts:read'], userId: dataUser }))
    await expectMatches(doc, '/tokens', 'post', await backendJson('POST', '/tokens', { scopes: ['accounts:read'] }))
    await expectMatches(doc, '/tokens', 'post', await backendJson('POST', '/tokens', { scopes: ['user:read'] }, {}))
    const banks = await SELF.fetch('http://proxy.test/banks')
    const etag = banks.headers.get('etag')!
    await expectMatches(doc, '/banks', 'get', banks)
    await expectMatches(doc, '/banks', 'get', await SELF.fetch('http://proxy.test/banks', { headers: { 'if-none-match': etag } }))
    await expectMatches(doc, '/banks', 'get', await SELF.fetch('http://proxy.test/banks?type=nope'))
  })
})
