/**
 * A refresh never holds the session's Durable Object: it runs outside the
 * input gate, within a bounded time, and says when its outcome is unknown. A
 * refresh that failed before the identity server answered leaves the session
 * usable.
 */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import worker from '../src/index'
import { APP_ORIGIN, Browser, connectAccount, refresh, started, statusOf, tokenSet } from './helpers'

/** The proxy with other settings: the session's Durable Object runs with them too. */
function proxyWith(overrides: Partial<Env>) {
  return async (request: Request) => {
    const ctx = createExecutionContext()
    const response = await worker.fetch(request, { ...env, ...overrides }, ctx)
    await waitOnExecutionContext(ctx)
    return response
  }
}
const refreshWith = (serve: (r: Request) => Promise<Response>, id: string) =>
  serve(
    new Request(`http://proxy.test/sessions/${id}/refresh`, {
      method: 'POST',
      headers: { authorization: `Bearer ${env.BACKEND_API_KEY}` },
    }),
  )

describe('a slow refresh', () => {
  it('ends within its bound and says its outcome is unknown; meanwhile the session object keeps answering', async () => {
    const user = new Browser()
    const session = await started({ offlineAccess: true, returnTo: `${APP_ORIGIN}/banks` })
    const back = await user.authorize(session.authorizeUrl, 'approve', { fault: 'slow', delay_ms: '2500' })
    expect((await user.callback(back)).status).toBe(303)
    const before = await tokenSet(session.id)

    const slowProxy = proxyWith({ UPSTREAM_TIMEOUT_MS: '1000' })
    const began = Date.now()
    let refreshedAt = 0
    const refreshing = refreshWith(slowProxy, session.id).then((response) => {
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
    expect(refreshedAt - began).toBeLessThan(2500) // before the identity server's answer
    expect(response.status).toBe(502)
    const body = await response.json<{ error: string; message: string }>()
    expect(body.error).toBe('refresh_outcome_unknown')
    expect(body.message).toMatch(/may have spent the refresh token/)
    // Nothing was overwritten: still connected, the same token set.
    expect(await statusOf(session.id)).toMatchObject({ status: 'connected' })
    expect(await tokenSet(session.id)).toEqual(before)
  })

  it('a refresh that fails before the identity server answers leaves the session usable', async () => {
    const { session } = await connectAccount({ offlineAccess: true })
    const unreachable = proxyWith({ MONEYHUB_ISSUER: 'http://127.0.0.1:9/oidc' })
    const failed = await refreshWith(unreachable, session.id)
    expect(failed.status).toBe(502)
    expect((await failed.json<{ error: string }>()).error).not.toBe('refresh_outcome_unknown')
    expect(await statusOf(session.id)).toMatchObject({ status: 'connected' })
    expect((await refresh(session.id)).status).toBe(200)
  })
})
