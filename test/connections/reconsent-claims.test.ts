/**
 * Reconsent asks for mh:consent as the official client does: `getReconsentAuthorizeUrlForCreatedUser`
 * (moneyhub/moneyhub-api-client, src/get-auth-urls.ts) sends `"mh:consent": {value: {expirationDateTime}}`, without
 * `essential`; a new connection's consent (`getAuthorizeUrl`) keeps `essential: true`.
 */
import { describe, expect, it } from 'vitest'
import { browser, callback, MOCK_BANK_ID, pushedRequestFor, started, statusOf } from '../helpers'

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString()
const userId = '60537b074c4b6fdf12024658'
const connectionId = `${MOCK_BANK_ID}:06737ffe-cdff-4047-a1d3-b54ebc8c368b`

async function claimsOf(body: Record<string, unknown>) {
  const session = await started(body)
  const identityUrl = await browser.launch(session.authorizeUrl)
  const pushed = await pushedRequestFor(identityUrl)
  expect((await callback(await browser.decide(identityUrl))).status).toBe(200)
  return { session, claims: JSON.parse(pushed.params.claims!).id_token }
}

describe('reconsent claims', () => {
  it('reconsent with a new expiry: mh:consent with its value and no essential, and the journey completes', async () => {
    const expirationDateTime = inDays(60)
    const { session, claims } = await claimsOf({ userId, connectionId, action: 'reconsent', consent: { expirationDateTime } })
    expect(claims['mh:consent']).toEqual({ value: { expirationDateTime } })
    expect(await statusOf(session.id)).toMatchObject({ status: 'connected', connectionId })
  })

  it('a new connection keeps mh:consent essential', async () => {
    const expirationDateTime = inDays(30)
    const { claims } = await claimsOf({ bankId: MOCK_BANK_ID, consent: { expirationDateTime } })
    expect(claims['mh:consent']).toEqual({ essential: true, value: { expirationDateTime } })
  })
})
