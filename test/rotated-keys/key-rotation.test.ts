/**
 * After rotating keys (the rotated-keys configuration, vitest.config.ts): the new first signing key signs and every
 * key is published; with TOKEN_ENCRYPTION_KEY=NEW,OLD, records sealed under the old key still open and new ones are
 * sealed under the new key; a record sealed under a key no longer listed does not open, and says so.
 *
 * What the Worker wrote before the rotation is made here as it was written then: the session's sealed value sealed
 * again, by the Worker's own code, under the old key (or under a key since dropped).
 */
import { env, runInDurableObject, SELF } from 'cloudflare:test'
import { decodeProtectedHeader } from 'jose'
import { describe, expect, it } from 'vitest'
import { inject } from 'vitest'
import { readConfig } from '../../src/config'
import { ticketAad } from '../../src/session/start'
import { open, seal } from '../../src/storage/seal'
import { SessionStore } from '../../src/storage/sessions'
import { Browser, connectAccount, started, statusOf, tokenRequestFor, tokens } from '../helpers'

const OLD_KEY = inject('tokenEncryptionKey')
const NEW_KEY = inject('newTokenEncryptionKey')
/** A key this Worker no longer lists: dropped too early. */
const DROPPED_KEY = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))
  .replace(/\+/g, '-')
  .replace(/\//g, '_')
  .replace(/=+$/, '')

const keysOf = async (key: string) => (await readConfig({ ...env, TOKEN_ENCRYPTION_KEY: key })).encryptionKeys
const kidOf = async (key: string) => (await keysOf(key))[0]!.kid
const sealedKidOf = async (id: string) => JSON.parse((await env.SESSIONS.get(`session:${id}`))!).sealed.split('.')[1]

/** The connected session's token set, as a Worker holding only `key` wrote it. */
async function tokenSetSealedUnder(id: string, key: string) {
  const now = new SessionStore(env.SESSIONS, await readConfig(env))
  const then = new SessionStore(env.SESSIONS, await readConfig({ ...env, TOKEN_ENCRYPTION_KEY: key }))
  const record = (await now.get(id))!
  await then.storeConnection(record, (await now.readConnection(record))!, {
    userId: record.userId!,
    ...(record.connectionId ? { connectionId: record.connectionId } : {}),
    ...(record.refreshableUntil ? { refreshableUntil: record.refreshableUntil } : {}),
  })
}

/** The launched session's ticket (its nonce and PKCE verifier), as a Worker holding only `key` sealed it into the session's object. */
async function ticketSealedUnder(id: string, key: string) {
  const stub = env.SESSION_COORDINATOR.get(env.SESSION_COORDINATOR.idFromName(id))
  const [current, then] = [(await readConfig(env)).encryptionKeys, await keysOf(key)]
  await runInDurableObject(stub, async (instance, state) => {
    const held = (instance as unknown as { state: { sealedTicket: string } }).state
    const ticket = await open(current, held.sealedTicket, ticketAad(id))
    expect(ticket).toBeDefined()
    held.sealedTicket = await seal(then, ticket, ticketAad(id))
    await state.storage.put('session', held)
  })
}

describe('signing key rotation', () => {
  it('after moving the new (ES256) key first, it signs the client assertions, and both keys stay published', async () => {
    // A key of another algorithm signs request objects too: the portal's request object signing algorithm changes with it
    // (test-client-es256 is the client registered with ES256).
    expect(env.MONEYHUB_CLIENT_ID).toBe('test-client-es256')
    const { back, response } = await connectAccount({})
    expect(response.status).toBe(200)
    const assertion = (await tokenRequestFor(back.searchParams.get('code')!)).params.client_assertion!
    expect(decodeProtectedHeader(assertion)).toMatchObject({ alg: 'ES256', kid: 'client-key-2' })
    const published = await (await SELF.fetch('http://proxy.test/.well-known/jwks.json')).json<{ keys: { kid: string }[] }>()
    expect(published.keys.map((k) => k.kid)).toEqual(['client-key-2', 'client-key-1'])
  })
})

describe('encryption key rotation', () => {
  it('with NEW,OLD: records sealed under the old key still open, new ones are sealed under the new key', async () => {
    expect(env.TOKEN_ENCRYPTION_KEY).toBe(`${NEW_KEY},${OLD_KEY}`)
    const old = (await connectAccount({})).session
    await tokenSetSealedUnder(old.id, OLD_KEY)
    expect(await sealedKidOf(old.id)).toBe(await kidOf(OLD_KEY))
    expect((await tokens(old.id)).status).toBe(200)

    const fresh = (await connectAccount({})).session
    expect(await sealedKidOf(fresh.id)).toBe(await kidOf(NEW_KEY))
    expect((await tokens(fresh.id)).status).toBe(200)
  })

  it('a record sealed under a key dropped too early no longer opens: that is why both are kept for a while', async () => {
    const { session } = await connectAccount({})
    await tokenSetSealedUnder(session.id, DROPPED_KEY)
    expect(await (await tokens(session.id)).json()).toMatchObject({ error: 'tokens_unreadable' })
  })

  it('a pending session sealed under a key no longer configured: only its browser may change it, and it fails clearly', async () => {
    const user = new Browser()
    const { id, authorizeUrl } = await started({})
    const back = await user.authorize(authorizeUrl)
    await ticketSealedUnder(id, DROPPED_KEY)
    // Without the binding cookie nothing changes, even though the session can no longer be opened.
    const before = await env.SESSIONS.get(`session:${id}`)
    const stranger = await new Browser().callback(back)
    expect(stranger.status).toBe(400)
    expect(await stranger.text()).toMatch(/browser_mismatch/)
    expect(await env.SESSIONS.get(`session:${id}`)).toBe(before)
    expect(await statusOf(id)).toMatchObject({ status: 'pending' })
    // From the browser that opened the link: the session fails, and says why.
    expect((await user.callback(back)).status).toBe(200)
    expect(await statusOf(id)).toMatchObject({ status: 'failed', error: 'session_unreadable' })
  })
})
