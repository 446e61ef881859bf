/**
 * The refresh grant carries what the official client's carries: `refreshTokens` is openid-client's
 * `client.refresh(refreshToken)` (moneyhub/moneyhub-api-client, src/tokens.ts), a grant_type, the refresh token and
 * the client assertion, no `sub` (which only its code exchange sends, src/exchange-code-for-token.ts).
 */
import { describe, expect, it } from 'vitest'
import { connectAccount, mockRequests, refresh, registerUser, tokenSet } from '../helpers'

describe('the refresh grant', () => {
  it('sends no sub, even for a registered user', async () => {
    const userId = await registerUser()
    const { session } = await connectAccount({ userId, offlineAccess: true })
    const before = await tokenSet(session.id)
    expect((await refresh(session.id)).status).toBe(200)
    const sent = (await mockRequests()).find((r) => r.endpoint === 'token' && r.params.refresh_token === before.refresh_token)!
    expect(sent.params.grant_type).toBe('refresh_token')
    expect(sent.params).not.toHaveProperty('sub')
    // The code exchange, as the official client's, does send it.
    const exchange = (await mockRequests()).find(
      (r) => r.endpoint === 'token' && r.params.grant_type === 'authorization_code' && r.answer?.refresh_token === before.refresh_token,
    )
    expect(exchange?.params.sub).toBe(userId)
  })
})
