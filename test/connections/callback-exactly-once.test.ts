/**
 * The callback is claimed once: the same callback twice at once (a double
 * submit, an app-to-app redirect opened twice, a reload during the exchange)
 * exchanges the code once; both get the same answer; the status never flips;
 * the webhook reports the outcome once. The mock revokes a code's tokens when
 * the code is presented twice (RFC 6749 §4.1.2), as Moneyhub's server does.
 */
import { env, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import type { SessionCoordinator } from '../../src/objects/sessionCoordinator'
import { accessTokenWorks, APP_ORIGIN, Browser, mockRequests, sleepMs, started, statusOf, tokenSet, webhooksFor } from '../helpers'

async function tokenRequestsFor(code: string) {
  return (await mockRequests()).filter((r) => r.endpoint === 'token' && r.params.code === code)
}

async function settledWebhooks(id: string) {
  let previous = -1
  let found = await webhooksFor(id)
  while (found.length !== previous) {
    previous = found.length
    await sleepMs(1500)
    found = await webhooksFor(id)
  }
  return found
}

describe('the callback is claimed once', () => {
  it('the same callback twice at once: one exchange, the same answer, and the stored access token still works', async () => {
    const user = new Browser()
    const session = await started({ returnTo: `${APP_ORIGIN}/banks` })
    // A slow token endpoint keeps the first exchange running while the second arrives.
    const back = await user.authorize(session.authorizeUrl, 'approve', { fault: 'slow', delay_ms: '500' })
    const [one, two] = await Promise.all([user.callback(back), user.callback(back)])
    expect([one.status, two.status]).toEqual([303, 303])
    expect(two.headers.get('location')).toBe(one.headers.get('location'))
    expect(new URL(one.headers.get('location')!).searchParams.get('status')).toBe('connected')

    expect(await tokenRequestsFor(back.searchParams.get('code')!)).toHaveLength(1)
    expect(await statusOf(session.id)).toMatchObject({ status: 'connected' })
    expect(await accessTokenWorks((await tokenSet(session.id)).access_token)).toBe(true)
    const delivered = (await settledWebhooks(session.id)).map((w) => JSON.parse(w.body).status)
    expect(delivered).toEqual(['connected'])
  })

  it('a reload after the exchange gets the outcome again, and exchanges nothing', async () => {
    const user = new Browser()
    const session = await started({ returnTo: `${APP_ORIGIN}/banks` })
    const back = await user.authorize(session.authorizeUrl)
    const first = await user.callback(back)
    const reload = await user.callback(back) // the cookie is gone by now
    expect(reload.status).toBe(303)
    expect(reload.headers.get('location')).toBe(first.headers.get('location'))
    expect(await tokenRequestsFor(back.searchParams.get('code')!)).toHaveLength(1)
    expect(await accessTokenWorks((await tokenSet(session.id)).access_token)).toBe(true)
  })

  it('a failure is final too: a second callback with another outcome does not flip it', async () => {
    const user = new Browser()
    const session = await started({})
    const identityUrl = await user.launch(session.authorizeUrl)
    const denied = await user.decide(identityUrl, 'deny')
    await user.callback(denied)
    expect(await statusOf(session.id)).toMatchObject({ status: 'failed', error: 'access_denied' })
    // The same state, now carrying a code (a forged or late second response): refused, nothing exchanged.
    const forged = new URL(denied)
    forged.searchParams.delete('error')
    forged.searchParams.delete('error_description')
    forged.searchParams.set('code', 'a-code-from-elsewhere')
    const answer = await user.callback(forged)
    expect(answer.status).toBe(200)
    expect(await answer.text()).toMatch(/was not connected/)
    expect(await tokenRequestsFor('a-code-from-elsewhere')).toHaveLength(0)
    expect(await statusOf(session.id)).toMatchObject({ status: 'failed', error: 'access_denied' })
    expect((await settledWebhooks(session.id)).map((w) => JSON.parse(w.body).status)).toEqual(['failed'])
  })

  it('a claim survives a restart of the session object: the code is never sent twice', async () => {
    const user = new Browser()
    const session = await started({ returnTo: `${APP_ORIGIN}/banks` })
    const back = await user.authorize(session.authorizeUrl)
    // As if the object had claimed this callback and restarted before the exchange ended: the claim is in its storage only.
    const stub = env.SESSION_COORDINATOR.get(env.SESSION_COORDINATOR.idFromName(session.id))
    await runInDurableObject(stub, async (instance: SessionCoordinator, state) => {
      const held = (instance as unknown as { state: { claimedAt?: number } }).state
      held.claimedAt = Date.now()
      await state.storage.put('session', held)
    })
    const answer = await user.callback(back)
    expect(Object.fromEntries(new URL(answer.headers.get('location')!).searchParams)).toMatchObject({
      status: 'failed',
      error: 'exchange_interrupted',
    })
    expect(await tokenRequestsFor(back.searchParams.get('code')!)).toHaveLength(0)
    expect(await statusOf(session.id)).toMatchObject({ status: 'failed', error: 'exchange_interrupted' })
  })
})
