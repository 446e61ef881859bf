import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { connectAccount, refresh, sleepMs, statusOf, tokens, tokenSet } from '../helpers'

async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, ms = 5000): Promise<T> {
  const until = Date.now() + ms
  let value = await read()
  while (!ok(value) && Date.now() < until) {
    await sleepMs(100)
    value = await read()
  }
  return value
}

/** Sleeps until a token set's expires_at has passed: however long the flow took on a busy machine. */
const untilExpired = async (expiresAt: number) => sleepMs(Math.max(0, expiresAt * 1000 - Date.now()) + 200)

// expires_at is whole seconds (floor of the request time + expires_in): 5 s of life leaves at least 4 s to see it connected.
describe('expiry', () => {
  it('once the access token has expired and cannot be refreshed: status expired, tokens 410, and the token set is scrubbed', async () => {
    const { session } = await connectAccount({}, 'approve', { expires_in: '5' })
    expect(await statusOf(session.id)).toMatchObject({ status: 'connected' })
    await untilExpired((await tokenSet(session.id)).expires_at)
    expect(await statusOf(session.id)).toMatchObject({ status: 'expired' })
    const gone = await tokens(session.id)
    expect(gone.status).toBe(410)
    expect(await gone.json()).toMatchObject({ error: 'session_expired' })
    // A small status record stays, without tokens.
    const raw = await eventually(
      async () => JSON.parse((await env.SESSIONS.get(`session:${session.id}`))!),
      (r) => r.sealed === undefined,
    )
    expect(raw).toMatchObject({ status: 'expired', id: session.id })
    expect(raw.sealed).toBeUndefined()
    expect(await statusOf(session.id)).toMatchObject({ status: 'expired', connectionId: expect.any(String) })
  })

  it('with a refresh token, an expired access token is not the end: still connected, and a refresh brings a new one', async () => {
    const { session } = await connectAccount({ offlineAccess: true }, 'approve', { expires_in: '5' })
    await untilExpired((await tokenSet(session.id)).expires_at)
    expect(await statusOf(session.id)).toMatchObject({ status: 'connected' })
    const stale = await tokenSet(session.id)
    expect(stale.expires_at).toBeLessThanOrEqual(Date.now() / 1000)
    expect((await refresh(session.id)).status).toBe(200)
    expect((await tokenSet(session.id)).access_token).not.toBe(stale.access_token)
  })
})
