/**
 * The authorizeUrl is single-use: the first browser that opens it is bound;
 * the same browser may open it again while the session is pending; any other
 * browser gets a page saying the link was used, and nothing goes upstream;
 * once the session is final, opening it sends nothing upstream either.
 */
import { SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { APP_ORIGIN, Browser, pushedRequestsOf, reasonOnPage, remove, sleepMs, started, statusOf } from '../helpers'

describe('the authorizeUrl is single-use', () => {
  it('two browsers, one authorizeUrl: the second gets a page and nothing is sent upstream; the first still finishes', async () => {
    const alice = new Browser()
    const mallory = new Browser()
    const session = await started({ returnTo: `${APP_ORIGIN}/banks` })
    await alice.launch(session.authorizeUrl)
    expect(await pushedRequestsOf(session.id)).toHaveLength(1)

    const refused = await mallory.open(session.authorizeUrl)
    expect(refused.status).toBe(409)
    expect(refused.headers.get('content-type')).toMatch(/text\/html/)
    expect(await reasonOnPage(refused)).toBe('link_used')
    expect(refused.headers.get('set-cookie')).toBeNull()
    expect(await pushedRequestsOf(session.id)).toHaveLength(1)

    // Alice reloads (or goes back): still hers, same binding.
    const cookie = [...alice.cookies.values()]
    const again = await alice.launch(session.authorizeUrl)
    expect([...alice.cookies.values()]).toEqual(cookie)
    const done = await alice.callback(await alice.decide(again))
    expect(done.status).toBe(303)
    expect(new URL(done.headers.get('location')!).searchParams.get('status')).toBe('connected')
  })

  it('two browsers opening it at the same moment: exactly one is bound', async () => {
    const session = await started({})
    const answers = await Promise.all(Array.from({ length: 6 }, () => new Browser().open(session.authorizeUrl)))
    expect(answers.map((a) => a.status).sort()).toEqual([303, 409, 409, 409, 409, 409])
    expect(await pushedRequestsOf(session.id)).toHaveLength(1)
  })

  it('reopening the link after success sends nothing upstream and says the session is connected', async () => {
    const user = new Browser()
    const session = await started({ returnTo: `${APP_ORIGIN}/banks` })
    await user.callback(await user.authorize(session.authorizeUrl))
    expect(await statusOf(session.id)).toMatchObject({ status: 'connected' })
    const sent = (await pushedRequestsOf(session.id)).length

    for (const browser of [user, new Browser()]) {
      const reopened = await browser.open(session.authorizeUrl)
      expect(reopened.status).toBe(303)
      const back = new URL(reopened.headers.get('location')!)
      expect(back.origin).toBe(APP_ORIGIN)
      expect(Object.fromEntries(back.searchParams)).toEqual({ session: session.id, status: 'connected' })
    }
    expect(await pushedRequestsOf(session.id)).toHaveLength(sent)
  })

  it('without returnTo, reopening a final session shows its outcome as a page; nothing upstream', async () => {
    const user = new Browser()
    const session = await started({})
    await user.callback(await user.authorize(session.authorizeUrl, 'deny'))
    const sent = (await pushedRequestsOf(session.id)).length
    const reopened = await new Browser().open(session.authorizeUrl)
    expect(reopened.status).toBe(200)
    expect(await reopened.text()).toMatch(/was not connected[\s\S]*access_denied/)
    expect(await pushedRequestsOf(session.id)).toHaveLength(sent)
  })

  it('a deleted session cannot be brought back by its link', async () => {
    const session = await started({})
    expect((await remove(session.id)).status).toBe(204)
    const reopened = await new Browser().open(session.authorizeUrl)
    expect(reopened.status).toBe(410)
    expect(await reasonOnPage(reopened)).toBe('session_deleted')
    expect(await pushedRequestsOf(session.id)).toHaveLength(0)
    expect((await SELF.fetch(`http://proxy.test/sessions/${session.id}`)).status).toBe(404)
  })

  it('a session deleted while the user is at the bank: neither its link nor its callback brings it back', async () => {
    const user = new Browser()
    const session = await started({})
    const identityUrl = await user.launch(session.authorizeUrl)
    expect((await remove(session.id)).status).toBe(204)
    const back = await user.decide(identityUrl)
    const answer = await user.callback(back)
    expect(answer.status).toBe(410)
    expect(await reasonOnPage(answer)).toBe('session_deleted')
    expect((await user.open(session.authorizeUrl)).status).toBe(410)
    expect(await pushedRequestsOf(session.id)).toHaveLength(1)
    expect((await SELF.fetch(`http://proxy.test/sessions/${session.id}`)).status).toBe(404)
  })

  it('a session whose tokens expired is still final for its link: reopening it sends nothing upstream', async () => {
    const user = new Browser()
    const session = await started({ returnTo: `${APP_ORIGIN}/banks` })
    await user.callback(await user.authorize(session.authorizeUrl, 'approve', { expires_in: '2' }))
    const until = Date.now() + 10_000
    while ((await statusOf(session.id)).status !== 'expired' && Date.now() < until) await sleepMs(250)
    await sleepMs(500) // the session object's alarm has run by now (it runs when the tokens are spent)
    const sent = (await pushedRequestsOf(session.id)).length
    const reopened = await new Browser().open(session.authorizeUrl)
    expect(reopened.status).toBe(303)
    expect(new URL(reopened.headers.get('location')!).searchParams.get('status')).toBe('expired')
    expect(await pushedRequestsOf(session.id)).toHaveLength(sent)
  })
})
