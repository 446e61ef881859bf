import { env, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import type { SessionCoordinator } from '../../src/objects/sessionCoordinator'
import { authorize, browser, callback, started, statusOf } from '../helpers'

const CALLBACK = 'http://127.0.0.1:8787/callback'

describe('the callback accepts only the state of a pending session, once', () => {
  it('refuses a forged state, a missing one and a malformed one with 400, changing nothing', async () => {
    const session = await started({})
    const before = await env.SESSIONS.get(`session:${session.id}`)
    for (const query of [
      `state=${session.id}.AAAAAAAAAAAAAAAAAAAAAA&code=x`,
      'code=x',
      'state=<script>&code=x',
      `state=${'a'.repeat(300)}`,
    ]) {
      const response = await callback(`${CALLBACK}?${query}`)
      expect(response.status).toBe(400)
      expect(await response.text()).toMatch(/Reason: <code>(state_unknown|invalid_request)<\/code>/)
    }
    expect(await env.SESSIONS.get(`session:${session.id}`)).toBe(before)
  })

  it('a replayed callback after success shows the outcome and leaves the connected session exactly as it was', async () => {
    const session = await started({})
    const back = await authorize(session.authorizeUrl)
    expect((await callback(back)).status).toBe(200)
    const connected = await env.SESSIONS.get(`session:${session.id}`)
    const replay = await callback(back)
    expect(replay.status).toBe(200)
    expect(await replay.text()).toMatch(/Your bank account is connected/)
    const asProgram = await browser.open(back, { headers: { accept: 'application/json' } })
    expect(asProgram.status).toBe(400)
    expect(await asProgram.json()).toMatchObject({ error: 'state_used' })
    expect(await env.SESSIONS.get(`session:${session.id}`)).toBe(connected)
    expect(await statusOf(session.id)).toMatchObject({ status: 'connected' })
  })

  it('refuses the state of a session past its deadline with 400 state_expired, changing nothing', async () => {
    const session = await started({})
    const back = await authorize(session.authorizeUrl)
    // The session's deadline passes (as its object holds it) while the user is at the bank.
    const stub = env.SESSION_COORDINATOR.get(env.SESSION_COORDINATOR.idFromName(session.id))
    await runInDurableObject(stub, async (instance: SessionCoordinator, state) => {
      const held = (instance as unknown as { state: { record: { expiresAt: number } } }).state
      held.record.expiresAt = Math.floor(Date.now() / 1000) - 1
      await state.storage.put('session', held)
    })
    const before = await env.SESSIONS.get(`session:${session.id}`)
    const response = await callback(back)
    expect(response.status).toBe(400)
    expect(await response.text()).toMatch(/state_expired/)
    expect(await env.SESSIONS.get(`session:${session.id}`)).toBe(before)
  })

  it('a missing state changes nothing either: 400', async () => {
    const response = await callback(`${CALLBACK}?error=access_denied`)
    expect(response.status).toBe(400)
  })

  it('an iss that names another issuer fails the session (RFC 9207)', async () => {
    const session = await started({})
    const back = await authorize(session.authorizeUrl)
    back.searchParams.set('iss', 'https://attacker.example/oidc')
    await callback(back)
    expect(await statusOf(session.id)).toMatchObject({ status: 'failed', error: 'iss_mismatch' })
  })
})
