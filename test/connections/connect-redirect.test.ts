import { describe, expect, it } from 'vitest'
import { APP_ORIGIN, browser, ISSUER } from '../helpers'

describe('GET /connect starts a session and sends the browser on in one step', () => {
  it('redirects to the identity server, and the flow completes back at returnTo', async () => {
    const response = await browser.open(`http://proxy.test/connect?bankId=abc&returnTo=${encodeURIComponent(`${APP_ORIGIN}/done`)}`)
    expect(response.status).toBe(303)
    const authorizeUrl = response.headers.get('location')!
    expect(authorizeUrl.startsWith(`${ISSUER()}/auth?`)).toBe(true)
    const done = await browser.callback(await browser.decide(authorizeUrl))
    const landing = new URL(done.headers.get('location')!)
    expect(landing.searchParams.get('status')).toBe('connected')
  })

  it('refuses a returnTo off the allowed origins with 400', async () => {
    const response = await browser.open('http://proxy.test/connect?returnTo=https%3A%2F%2Fevil.example')
    expect(response.status).toBe(400)
  })
})
