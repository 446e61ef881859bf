import { describe, expect, it } from 'vitest'
import { connectAccount, mockRequests, remove, started, status, tokens, tokenSet } from '../helpers'

describe('DELETE /sessions/:id revokes and forgets', () => {
  it('revokes the refresh and access tokens upstream, deletes everything, answers 204; then 404', async () => {
    const { session } = await connectAccount({ offlineAccess: true })
    const set = await tokenSet(session.id)
    const response = await remove(session.id)
    expect(response.status).toBe(204)
    const revoked = (await mockRequests()).filter((r) => r.endpoint === 'revocation')
    expect(revoked.find((r) => r.params.token === set.refresh_token)).toMatchObject({
      status: 200,
      params: { token_type_hint: 'refresh_token' },
    })
    expect(revoked.find((r) => r.params.token === set.access_token)).toMatchObject({
      status: 200,
      params: { token_type_hint: 'access_token' },
    })
    expect((await status(session.id)).status).toBe(404)
    expect((await tokens(session.id)).status).toBe(404)
  })

  it('still deletes locally when revocation fails upstream, and says so', async () => {
    const { session } = await connectAccount({}, 'approve', { fault: 'revocation_error' })
    const response = await remove(session.id)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ id: session.id, deleted: true, revoked: false, error: 'revocation_failed' })
    expect((await status(session.id)).status).toBe(404)
  })

  it('deletes a pending session (nothing to revoke), needs the backend key, and 404s an unknown one', async () => {
    const pending = await started({})
    expect((await remove(pending.id, {})).status).toBe(401)
    expect((await remove(pending.id)).status).toBe(204)
    expect((await status(pending.id)).status).toBe(404)
    expect((await remove(pending.id)).status).toBe(404)
  })
})
