/**
 * A refresh never holds the session's Durable Object: it runs outside the
 * input gate, within a bounded time (UPSTREAM_TIMEOUT_MS: 2 s in this
 * configuration), and says when its outcome is unknown. (A refresh that failed
 * before the identity server answered: test/connections/refresh.test.ts.)
 */
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { APP_ORIGIN, Browser, refresh, started, statusOf, tokenSet } from '../helpers'

/** The mock answers this grant's refreshes later than UPSTREAM_TIMEOUT_MS; its code exchange at once. */
const SLOW_MS = 2 * Number(env.UPSTREAM_TIMEOUT_MS) + 1000

describe('a slow refresh', () => {
  it('ends within its bound and says its outcome is unknown; meanwhile the session object keeps answering', async () => {
    const user = new Browser()
    const session = await started({ offlineAccess: true, returnTo: `${APP_ORIGIN}/banks` })
    const back = await user.authorize(session.authorizeUrl, 'approve', { fault: 'slow_refresh', delay_ms: String(SLOW_MS) })
    expect((await user.callback(back)).status).toBe(303)
    const before = await tokenSet(session.id)

    const began = Date.now()
    let refreshedAt = 0
    const refreshing = refresh(session.id).then((response) => {
      refreshedAt = Date.now()
      return response
    })
    // While the token endpoint holds the refresh, the object answers a replayed callback at once.
    const replay = await user.callback(back)
    const repliedAt = Date.now()
    expect(replay.status).toBe(303)
    expect(new URL(replay.headers.get('location')!).searchParams.get('status')).toBe('connected')

    const response = await refreshing
    expect(repliedAt).toBeLessThan(refreshedAt)
    expect(refreshedAt - began).toBeLessThan(SLOW_MS) // before the identity server's answer
    expect(response.status).toBe(502)
    const body = await response.json<{ error: string; message: string }>()
    expect(body.error).toBe('refresh_outcome_unknown')
    // Nothing was overwritten: still connected, the same token set.
    expect(await statusOf(session.id)).toMatchObject({ status: 'connected' })
    expect(await tokenSet(session.id)).toEqual(before)
  })
})
