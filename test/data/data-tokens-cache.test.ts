/** POST /tokens: answers cached, sealed, until shortly before they expire: a thousand identical asks cost one grant at the identity server. */
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { getConfig } from '../../src/config'
import type { ClientToken } from '../../src/oidc/clientCredentials'
import { open } from '../../src/storage/seal'
import { DataTokenCache, dataTokenKey, forgetDataTokens, REUSE_MARGIN_S } from '../../src/storage/dataTokens'
import { clientCredentialGrants, dataTokenRequest, registerUser } from '../helpers'

const grantsFor = async (userId: string) => (await clientCredentialGrants()).filter((g) => g.params.sub === userId)
const ask = async (body: unknown) => {
  const response = await dataTokenRequest(body)
  expect(response.status).toBe(200)
  return response.json<ClientToken>()
}

describe('the data token cache', () => {
  it('answers 1000 identical asks with one upstream grant', async () => {
    const userId = await registerUser()
    const body = { scopes: ['transactions:read:all', 'accounts:read'], userId }
    const first = await ask(body)
    expect(first).toMatchObject({ token_type: 'Bearer', scope: 'accounts:read transactions:read:all' })
    for (let batch = 0; batch < 20; batch++) {
      const answers = await Promise.all(Array.from({ length: 50 }, () => ask(body)))
      for (const answer of answers) expect(answer).toEqual(first)
    }
    const grants = await grantsFor(userId)
    expect(grants).toHaveLength(1)
    expect(grants[0]!.params.scope).toBe('accounts:read transactions:read:all')
  })

  it('is one entry per user and scope set: order does not matter, another user or scope is another grant', async () => {
    const [alice, bob] = [await registerUser(), await registerUser()]
    const a1 = await ask({ scopes: ['accounts:read', 'transactions:read:in'], userId: alice })
    const a2 = await ask({ scopes: ['transactions:read:in', 'accounts:read'], userId: alice })
    const a3 = await ask({ scopes: ['accounts:read'], userId: alice })
    const b1 = await ask({ scopes: ['accounts:read', 'transactions:read:in'], userId: bob })
    expect(a2.access_token).toBe(a1.access_token)
    expect(new Set([a1.access_token, a3.access_token, b1.access_token]).size).toBe(3)
    expect(await grantsFor(alice)).toHaveLength(2)
    expect(await grantsFor(bob)).toHaveLength(1)
  })

  it('makes one grant for identical asks that arrive at the same moment', async () => {
    const userId = await registerUser()
    const answers = await Promise.all(Array.from({ length: 25 }, () => ask({ scopes: ['accounts:read'], userId })))
    expect(new Set(answers.map((a) => a.access_token)).size).toBe(1)
    expect(await grantsFor(userId)).toHaveLength(1)
  })

  it('keeps the token in KV sealed, so that another isolate finds it without a grant', async () => {
    const userId = await registerUser()
    const token = await ask({ scopes: ['accounts:read'], userId })
    const config = await getConfig(env)
    const key = await dataTokenKey(config, 'accounts:read', userId)
    const stored = (await env.SESSIONS.get(key))!
    expect(stored).toMatch(/^v1\./)
    expect(stored).not.toContain(token.access_token)
    expect(key).not.toContain(userId)
    expect(await open(config.encryptionKeys, stored, key)).toEqual(token)
    expect(await open(config.encryptionKeys, stored, `${key}x`)).toBeUndefined()

    forgetDataTokens() // as a fresh isolate
    const cache = new DataTokenCache(env.SESSIONS, config)
    const found = await cache.getOrGrant(key, () => Promise.reject(new Error('no grant expected')))
    expect(found).toEqual({ token, source: 'kv' })
  })

  it('hands out no token that has less than the margin left, and keeps none that would not last', async () => {
    const config = await getConfig(env)
    const cache = new DataTokenCache(env.SESSIONS, config)
    const key = await dataTokenKey(config, 'accounts:read', 'short-lived-test')
    let grants = 0
    const shortLived = async (): Promise<ClientToken> => ({
      access_token: `t${++grants}`,
      token_type: 'Bearer',
      scope: 'accounts:read',
      expires_at: Math.floor(Date.now() / 1000) + REUSE_MARGIN_S - 1,
    })
    await cache.getOrGrant(key, shortLived)
    const again = await cache.getOrGrant(key, shortLived)
    expect(again).toMatchObject({ source: 'grant', token: { access_token: 't2' } })
    expect(await env.SESSIONS.get(key)).toBeNull()
  })
})
