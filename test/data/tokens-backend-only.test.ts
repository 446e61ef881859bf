import { describe, expect, it } from 'vitest'
import { authorize, callback, started, tokenRequestFor, tokens } from '../helpers'

describe('GET /sessions/:id/tokens gives the token set to the app backend only', () => {
  it('answers the token set the identity server issued, with expires_at computed from expires_in', async () => {
    const session = await started({ bankId: 'abc' })
    const back = await authorize(session.authorizeUrl)
    const before = Math.floor(Date.now() / 1000)
    await callback(back)
    const after = Math.ceil(Date.now() / 1000)
    const issued = (await tokenRequestFor(back.searchParams.get('code')!)).answer!
    const response = await tokens(session.id)
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toBe('no-store')
    const set = await response.json<Record<string, unknown>>()
    expect(set).toEqual({
      access_token: issued.access_token,
      id_token: issued.id_token,
      token_type: 'Bearer',
      scope: issued.scope,
      expires_at: expect.any(Number),
    })
    // The exchange happened between before and after, however long a busy machine took.
    expect(set.expires_at).toBeGreaterThanOrEqual(before + (issued.expires_in as number))
    expect(set.expires_at).toBeLessThanOrEqual(after + (issued.expires_in as number))
  })

  it('refuses without the key, with a wrong key, and with a key of another length: 401', async () => {
    const session = await started({})
    await callback(await authorize(session.authorizeUrl))
    for (const headers of [
      {} as Record<string, string>,
      { authorization: 'Bearer wrong-key-wrong-key' },
      { authorization: 'Bearer x' },
      { authorization: 'Basic abc' },
    ]) {
      const response = await tokens(session.id, headers)
      expect(response.status).toBe(401)
      expect(await response.json()).toMatchObject({ error: 'unauthorized' })
    }
  })

  it('answers 409 while the session is pending or failed, 404 when unknown', async () => {
    const pending = await started({})
    expect((await tokens(pending.id)).status).toBe(409)
    const denied = await started({})
    await callback(await authorize(denied.authorizeUrl, 'deny'))
    expect((await tokens(denied.id)).status).toBe(409)
    expect((await tokens('AAAAAAAAAAAAAAAAAAAAAA')).status).toBe(404)
  })
})
