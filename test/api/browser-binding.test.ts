/**
 * The callback completes only in the browser that was sent to the identity
 * server by this Worker: a leaked authorisation link or callback URL cannot
 * connect someone's bank to a session started elsewhere.
 */
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { Browser, reasonOnPage, started, statusOf } from '../helpers'

describe('browser binding', () => {
  it('an authorisation link that leaks from the user who opened it cannot be completed in another browser', async () => {
    const alice = new Browser()
    const mallory = new Browser()
    const session = await started({})
    const identityUrl = await alice.launch(session.authorizeUrl)

    const back = await mallory.decide(identityUrl) // Mallory approves with her own bank
    const before = await env.SESSIONS.get(`session:${session.id}`)
    const response = await mallory.callback(back)
    expect(response.status).toBe(400)
    expect(await reasonOnPage(response)).toBe('browser_mismatch')
    expect(await env.SESSIONS.get(`session:${session.id}`)).toBe(before)

    // Alice, who started it, can still finish.
    const again = await alice.launch(session.authorizeUrl)
    expect((await alice.callback(await alice.decide(again))).status).toBe(200)
    expect(await statusOf(session.id)).toMatchObject({ status: 'connected' })
  })

  it('GET /connect binds the browser in the same step: a forwarded identity-server link is useless to the victim', async () => {
    const attacker = new Browser()
    const victim = new Browser()
    const start = await attacker.open('http://proxy.test/connect')
    const identityUrl = start.headers.get('location')!
    const response = await victim.callback(await victim.decide(identityUrl))
    expect(response.status).toBe(400)
    expect(await response.text()).toMatch(/browser_mismatch/)
  })

  it('a callback URL replayed in another browser first changes nothing, and the user still completes', async () => {
    const user = new Browser()
    const thief = new Browser()
    const session = await started({})
    const back = await user.authorize(session.authorizeUrl)
    expect((await thief.callback(back)).status).toBe(400)
    expect(await statusOf(session.id)).toMatchObject({ status: 'pending' })
    expect((await user.callback(back)).status).toBe(200)
    expect(await statusOf(session.id)).toMatchObject({ status: 'connected' })
  })

  it('the cookie is HttpOnly, SameSite=Lax, per session, and cleared by the callback', async () => {
    const user = new Browser()
    const session = await started({})
    const launch = await user.open(session.authorizeUrl)
    const cookie = launch.headers.get('set-cookie')!
    expect(cookie).toMatch(new RegExp(`^mhc_${session.id}=[A-Za-z0-9_-]{22};`))
    expect(cookie).toMatch(/HttpOnly/)
    expect(cookie).toMatch(/SameSite=Lax/)
    expect(cookie).toMatch(/Path=\//)
    const done = await user.callback(await user.decide(launch.headers.get('location')!))
    expect(done.headers.get('set-cookie')).toMatch(new RegExp(`^mhc_${session.id}=;.*Max-Age=0`))
  })
})
