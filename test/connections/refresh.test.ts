import { describe, expect, it } from 'vitest'
import { inject } from 'vitest'
import {
  APP_ORIGIN,
  claimsOf,
  connectAccount,
  mockRequests,
  refresh,
  revokeAtMock,
  startSession,
  statusOf,
  tokens,
  tokenSet,
  whileIdentityServerDown,
} from '../helpers'

describe('refreshing a session started with offlineAccess', () => {
  it('asks for offline_access, keeps the refresh token, and refreshes with a fresh client assertion', async () => {
    const { session } = await connectAccount({ bankId: 'abc', offlineAccess: true })
    const before = await tokenSet(session.id)
    expect(before.refresh_token).toBeTruthy()
    expect(before.scope.split(' ')).toContain('offline_access')
    const status = await statusOf(session.id)
    // No stated lifetime from the server: REFRESH_TOKEN_RETENTION_SECONDS (90 days).
    expect(status.refreshableUntil).toBeGreaterThan(Date.now() / 1000 + 89 * 86_400)

    const response = await refresh(session.id)
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ id: session.id, status: 'connected', userId: status.userId })
    const after = await tokenSet(session.id)
    expect(after.access_token).not.toBe(before.access_token)
    expect(after.refresh_token).not.toBe(before.refresh_token) // the mock rotates

    const sent = (await mockRequests()).find((r) => r.endpoint === 'token' && r.params.refresh_token === before.refresh_token)!
    expect(sent.params).toMatchObject({
      grant_type: 'refresh_token',
      client_id: inject('clientId'),
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    })
    expect(claimsOf(sent.params.client_assertion!).jti).toBeTruthy()
  })

  it('keeps the refresh token when the server does not rotate it', async () => {
    const { session } = await connectAccount({ offlineAccess: true }, 'approve', { fault: 'refresh_no_rotation' })
    const before = await tokenSet(session.id)
    expect((await refresh(session.id)).status).toBe(200)
    const after = await tokenSet(session.id)
    expect(after.refresh_token).toBe(before.refresh_token)
    expect(after.access_token).not.toBe(before.access_token)
    expect((await refresh(session.id)).status).toBe(200)
  })

  it('a refresh response without an id_token (OIDC Core §12.2) keeps the one from the authentication', async () => {
    const { session } = await connectAccount({ offlineAccess: true }, 'approve', { fault: 'refresh_no_id_token' })
    const before = await tokenSet(session.id)
    const response = await refresh(session.id)
    expect(response.status).toBe(200)
    const after = await tokenSet(session.id)
    expect(after.access_token).not.toBe(before.access_token)
    expect(after.id_token).toBe(before.id_token)
  })

  it('two refreshes at the same moment both succeed and the rotated refresh token is not burned', async () => {
    const { session } = await connectAccount({ offlineAccess: true })
    const first = (await tokenSet(session.id)).refresh_token
    const [a, b] = await Promise.all([refresh(session.id), refresh(session.id)])
    expect([a.status, b.status]).toEqual([200, 200])
    // Serialised: the second used the token the first received, so the chain is intact...
    const spent = (await mockRequests()).filter(
      (r) => r.endpoint === 'token' && r.params.grant_type === 'refresh_token' && r.status !== 200,
    )
    expect(spent.filter((r) => r.params.refresh_token === first)).toEqual([])
    // ...and the session still refreshes.
    expect((await refresh(session.id)).status).toBe(200)
    expect(await statusOf(session.id)).toMatchObject({ status: 'connected' })
  })

  it('a session without a refresh token cannot be refreshed: 409', async () => {
    const { session } = await connectAccount({})
    const response = await refresh(session.id)
    expect(response.status).toBe(409)
    expect(await response.json()).toMatchObject({ error: 'not_refreshable' })
  })

  it('needs the backend key, and only the backend may ask for offline access', async () => {
    const { session } = await connectAccount({ offlineAccess: true })
    expect((await refresh(session.id, {})).status).toBe(401)
    expect((await startSession({ offlineAccess: true }, { origin: APP_ORIGIN })).status).toBe(403)
  })

  it('a refresh token the server refuses ends the session: 410, then status expired', async () => {
    const { session } = await connectAccount({ offlineAccess: true })
    // The user withdraws consent at Moneyhub: the grant is revoked behind the Worker's back.
    await revokeAtMock((await tokenSet(session.id)).refresh_token!)
    const response = await refresh(session.id)
    expect(response.status).toBe(410)
    expect(await response.json()).toMatchObject({ error: 'refresh_token_rejected' })
    expect(await statusOf(session.id)).toMatchObject({ status: 'expired', error: 'refresh_token_rejected' })
    expect((await tokens(session.id)).status).toBe(410)
  })

  it('a refresh that fails before the identity server answers leaves the session usable', async () => {
    const { session } = await connectAccount({ offlineAccess: true })
    const failed = await whileIdentityServerDown(() => refresh(session.id))
    expect(failed.status).toBe(502)
    expect((await failed.json<{ error: string }>()).error).not.toBe('refresh_outcome_unknown')
    expect(await statusOf(session.id)).toMatchObject({ status: 'connected' })
    expect((await refresh(session.id)).status).toBe(200)
  })
})
