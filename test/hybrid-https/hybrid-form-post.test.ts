/**
 * RESPONSE_TYPE=code id_token: Moneyhub's recommended hybrid flow, answered by form_post to POST /callback, on an
 * https callback (the hybrid-https configuration, vitest.config.ts).
 */
import { SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { APP_ORIGIN, Browser, mockRequests, pushedRequestFor, started, statusOf } from '../helpers'

async function start(browser: Browser) {
  const session = await started({ returnTo: `${APP_ORIGIN}/done` })
  const launch = await browser.open(session.authorizeUrl)
  return { session, launch, identityUrl: new URL(launch.headers.get('location')!) }
}

describe('the hybrid flow (code id_token, form_post)', () => {
  it('asks for code id_token by form_post, validates the front-channel id_token, exchanges the code, connects', async () => {
    const browser = new Browser()
    const { session, launch, identityUrl } = await start(browser)
    expect(launch.headers.get('set-cookie')).toMatch(/SameSite=None/)
    expect(launch.headers.get('set-cookie')).toMatch(/Secure/)
    const pushed = await pushedRequestFor(identityUrl)
    expect(pushed.params).toMatchObject({ response_type: 'code id_token', response_mode: 'form_post' })

    const { action, fields } = await browser.decideFormPost(identityUrl)
    expect([...fields.keys()].sort()).toEqual(['code', 'id_token', 'iss', 'state'])
    const response = await browser.postCallback(action, fields)
    expect(response.status).toBe(303)
    expect(new URL(response.headers.get('location')!).searchParams.get('status')).toBe('connected')
    expect(await statusOf(session.id)).toMatchObject({ status: 'connected' })
  })

  it.each([
    ['c_hash_wrong', 'id_token_c_hash_mismatch'],
    ['s_hash_missing', 'id_token_s_hash_missing'],
    ['front_nonce_wrong', 'id_token_nonce_mismatch'],
    ['front_sub_other', 'id_token_sub_mismatch'],
  ])('a front-channel id_token with %s fails the session (%s)', async (fault, code) => {
    const browser = new Browser()
    const { session, identityUrl } = await start(browser)
    const { action, fields } = await browser.decideFormPost(identityUrl, 'approve', { fault })
    const response = await browser.postCallback(action, fields)
    expect(new URL(response.headers.get('location')!).searchParams.get('error')).toBe(code)
    expect(await statusOf(session.id)).toMatchObject({ status: 'failed', error: code })
  })

  it('a refusal comes back by form_post too', async () => {
    const browser = new Browser()
    const { session, identityUrl } = await start(browser)
    const { action, fields } = await browser.decideFormPost(identityUrl, 'deny')
    await browser.postCallback(action, fields)
    expect(await statusOf(session.id)).toMatchObject({ status: 'failed', error: 'access_denied' })
  })

  it('the front-channel id_token is checked before the code is used: a forged one never reaches the token endpoint', async () => {
    const browser = new Browser()
    const { session, identityUrl } = await start(browser)
    const { action, fields } = await browser.decideFormPost(identityUrl)
    fields.set('id_token', fields.get('id_token')!.replace(/\.[^.]+$/, '.AAAA'))
    await browser.postCallback(action, fields)
    expect(await statusOf(session.id)).toMatchObject({ status: 'failed', error: 'id_token_signature_invalid' })
    expect((await mockRequests()).some((r) => r.endpoint === 'token' && r.params.code === fields.get('code'))).toBe(false)
  })

  it('POST /callback caps the form_post', async () => {
    const response = await SELF.fetch('https://connect.example.com/callback', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ state: 'x', id_token: 'a'.repeat(40_000) }),
    })
    expect(response.status).toBe(413)
    expect(await response.json()).toMatchObject({ error: 'body_too_large' })
  })
})

describe('over https', () => {
  it('the binding cookie is __Host- and Secure', async () => {
    const response = await SELF.fetch('https://connect.example.com/connect', { redirect: 'manual' })
    expect(response.status).toBe(303)
    const cookie = response.headers.get('set-cookie')!
    expect(cookie).toMatch(/^__Host-mhc_[A-Za-z0-9_-]{22}=/)
    expect(cookie).toMatch(/Secure/)
    expect(cookie).not.toMatch(/Domain/i)
  })
})
