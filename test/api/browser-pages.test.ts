/**
 * People get pages, programs get JSON. On the browser routes a refusal for a
 * known session sends the browser back to returnTo with status=failed and the
 * error code; a state already used on a connected session sends it back with
 * status=connected; anything else is an HTML page with the reason in words.
 * JSON only with Accept: application/json.
 */
import { SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { APP_ORIGIN, Browser, reasonOnPage, started, whileIdentityServerDown } from '../helpers'

const CALLBACK = 'http://127.0.0.1:8787/callback'
const backTo = (response: Response) => {
  expect(response.status).toBe(303)
  const url = new URL(response.headers.get('location')!)
  return { origin: url.origin, ...Object.fromEntries(url.searchParams) }
}

describe('browser routes answer people with pages', () => {
  it('an unknown state: a page with the reason in words; JSON to a program that asks', async () => {
    const page = await SELF.fetch(`${CALLBACK}?state=AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA&code=x`)
    expect(page.status).toBe(400)
    expect(page.headers.get('content-type')).toMatch(/text\/html/)
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/)
    const text = await page.text()
    expect(text).toContain('Reason: <code>state_unknown</code>')
    // A person reads the page: the reason in words is what it is for.
    expect(text).toMatch(/does not belong to a bank request in progress/)

    const json = await SELF.fetch(`${CALLBACK}?state=AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA&code=x`, {
      headers: { accept: 'application/json' },
    })
    expect(json.status).toBe(400)
    expect(await json.json()).toMatchObject({ error: 'state_unknown', message: expect.any(String) })
  })

  it('a callback from another browser, for a session with returnTo: back to the app with status=failed&error=browser_mismatch', async () => {
    const user = new Browser()
    const session = await started({ returnTo: `${APP_ORIGIN}/banks` })
    const back = await user.authorize(session.authorizeUrl)
    expect(backTo(await new Browser().callback(back))).toEqual({
      origin: APP_ORIGIN,
      session: session.id,
      status: 'failed',
      error: 'browser_mismatch',
    })
    // The user's own callback still completes.
    expect(backTo(await user.callback(back))).toMatchObject({ status: 'connected' })
  })

  it('state_used on a connected session: back to the app with status=connected', async () => {
    const user = new Browser()
    const session = await started({ returnTo: `${APP_ORIGIN}/banks` })
    const back = await user.authorize(session.authorizeUrl)
    await user.callback(back)
    expect(backTo(await new Browser().callback(back))).toEqual({ origin: APP_ORIGIN, session: session.id, status: 'connected' })
  })

  it('a link that cannot be opened, and a returnTo that is not allowed: pages', async () => {
    const session = await started({})
    const broken = new URL(session.authorizeUrl)
    broken.searchParams.set('ticket', 'v1.not-a-ticket')
    const page = await SELF.fetch(broken, { redirect: 'manual' })
    expect(page.status).toBe(400)
    expect(await reasonOnPage(page)).toBe('ticket_invalid')

    const connect = await SELF.fetch(`http://proxy.test/connect?returnTo=${encodeURIComponent('https://evil.example/x')}`, {
      redirect: 'manual',
    })
    expect(connect.status).toBe(400)
    expect(connect.headers.get('content-type')).toMatch(/text\/html/)
    expect(await connect.text()).toMatch(/return_to_not_allowed/)
  })

  it('an identity server that cannot be reached at the launch: back to the app with the error', async () => {
    const session = await started({ returnTo: `${APP_ORIGIN}/banks` })
    const user = new Browser()
    expect(backTo(await whileIdentityServerDown(() => user.open(session.authorizeUrl)))).toMatchObject({
      session: session.id,
      status: 'failed',
      error: expect.stringMatching(/^(discovery|upstream)_/),
    })
    // The browser kept its binding: once the identity server is back, the same browser goes on.
    expect((await user.open(session.authorizeUrl)).status).toBe(303)
  })
})
