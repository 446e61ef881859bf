import { describe, expect, it } from 'vitest'
import { APP_ORIGIN, authorize, callback, MOCK_BANK_ID, started, statusOf, tokens } from '../helpers'

describe('a new user connects a bank, through pushed authorization requests', () => {
  it('with a chosen bank: pending, then connected, then back to the app', async () => {
    const session = await started({ bankId: MOCK_BANK_ID, returnTo: `${APP_ORIGIN}/done?tab=banks` })
    expect(session.id).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(session.statusUrl).toBe(`http://proxy.test/sessions/${session.id}`)
    expect(await statusOf(session.id)).toMatchObject({ id: session.id, status: 'pending', bankId: MOCK_BANK_ID })

    const back = await authorize(session.authorizeUrl)
    const response = await callback(back)

    expect(response.status).toBe(303)
    const landing = new URL(response.headers.get('location')!)
    expect(landing.origin + landing.pathname).toBe(`${APP_ORIGIN}/done`)
    expect(Object.fromEntries(landing.searchParams)).toEqual({ tab: 'banks', session: session.id, status: 'connected' })

    const status = await statusOf(session.id)
    expect(status).toMatchObject({ status: 'connected', bankId: MOCK_BANK_ID, scope: `id:${MOCK_BANK_ID} openid` })
    expect(status.connectionId).toMatch(new RegExp(`^${MOCK_BANK_ID}:[0-9a-f-]{36}$`))
    expect(status.userId).toMatch(/^[0-9a-f]{24}$/)

    const set = await (await tokens(session.id)).json<Record<string, string>>()
    expect(set).toMatchObject({ token_type: 'Bearer', scope: `id:${MOCK_BANK_ID} openid` })
    // No token in the status (the tokens themselves, not a JWT-looking prefix that a random id can contain).
    for (const token of [set.access_token!, set.id_token!]) expect(JSON.stringify(status)).not.toContain(token)
    expect(set.expires_at).toBeGreaterThan(Date.now() / 1000 + 3000)
  })

  it('without a chosen bank: the default selector id:all, and the bank the user picked', async () => {
    const session = await started({})
    const back = await authorize(session.authorizeUrl, 'approve', { bank: 'a1b2c3' })
    const response = await callback(back)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^text\/html/)
    expect(await response.text()).toContain('Your bank account is connected')
    expect(await statusOf(session.id)).toMatchObject({ status: 'connected', scope: 'id:a1b2c3 openid' })
  })
})
