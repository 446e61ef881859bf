/** Moneyhub's options for a new connection, and its journeys on an existing one, end to end against the mock (which checks them). */
import { describe, expect, it } from 'vitest'
import { browser, callback, expectRefusal, MOCK_BANK_ID, pushedRequestFor, startSession, started, statusOf } from '../helpers'

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString()
const monthsAgo = (months: number) => {
  const d = new Date()
  d.setUTCMonth(d.getUTCMonth() - months)
  return d.toISOString()
}

async function connectAndReadClaims(body: Record<string, unknown>) {
  const session = await started(body)
  const identityUrl = await browser.launch(session.authorizeUrl)
  const pushed = await pushedRequestFor(identityUrl)
  const response = await callback(await browser.decide(identityUrl))
  expect(response.status).toBe(200)
  return { session, pushed, claims: JSON.parse(pushed.params.claims!).id_token }
}

describe('consent options become Moneyhub claims', () => {
  it('consent → mh:consent with permissions (action add by default) and dates', async () => {
    const consent = {
      permissions: ['ReadAccountsDetail', 'ReadBalances'],
      expirationDateTime: inDays(30),
      transactionFromDateTime: monthsAgo(12),
    }
    const { session, claims } = await connectAndReadClaims({ bankId: MOCK_BANK_ID, consent })
    expect(claims['mh:consent']).toEqual({ essential: true, value: { ...consent, permissionsAction: 'add' } })
    expect(await statusOf(session.id)).toMatchObject({ status: 'connected' })
  })

  it('permissionsAction replace, and dates alone', async () => {
    const a = await connectAndReadClaims({ consent: { permissions: ['ReadTransactionsDetail'], permissionsAction: 'replace' } })
    expect(a.claims['mh:consent'].value).toEqual({ permissions: ['ReadTransactionsDetail'], permissionsAction: 'replace' })
    const expirationDateTime = inDays(89)
    const b = await connectAndReadClaims({ consent: { expirationDateTime } })
    expect(b.claims['mh:consent']).toEqual({ essential: true, value: { expirationDateTime } })
  })

  it('enableAsync → mh:sync, accountVerification → mh:account_verification', async () => {
    const { claims } = await connectAndReadClaims({ enableAsync: true, accountVerification: true })
    expect(claims['mh:sync']).toEqual({ essential: true, value: { enableAsync: true } })
    expect(claims['mh:account_verification']).toEqual({ essential: true, value: { accVerification: true } })
  })

  it.each([
    [{ consent: { expirationDateTime: inDays(91) } }, /90 days/],
    [{ consent: { expirationDateTime: inDays(-1) } }, /future/],
    [{ consent: { transactionFromDateTime: monthsAgo(73) } }, /72 months/],
    [{ consent: { transactionFromDateTime: inDays(2) } }, /past/],
    [{ consent: { expirationDateTime: '2026-13-45' } }, /expirationDateTime/],
    [{ consent: { permissionsAction: 'add' } }, /needs permissions/],
    [{ consent: { permissions: ['Read Accounts'] } }, /permission name/],
    [{ consent: { permissions: [] } }, /permissions/],
    [{ consent: { extra: 1 } }, /extra/],
    [{ enableAsync: 'yes' }, /enableAsync/],
  ])('refuses %j with 400', async (body, message) => {
    const answer = await expectRefusal(await startSession(body), 'invalid_request')
    // One code for every rule: the message names the rule broken, which is what the caller fixes.
    expect(answer.message).toMatch(message)
  })
})

describe('journeys on an existing connection (backend only)', () => {
  const userId = '60537b074c4b6fdf12024658'
  const connectionId = `${MOCK_BANK_ID}:06737ffe-cdff-4047-a1d3-b54ebc8c368b`

  it.each(['reauth', 'reconsent', 'refresh'])('%s: scope "openid %s", sub and mh:con_id with values, no bank selector', async (action) => {
    const { session, pushed, claims } = await connectAndReadClaims({ userId, connectionId, action })
    expect(pushed.params.scope).toBe(`openid ${action}`)
    expect(claims.sub).toEqual({ essential: true, value: userId })
    expect(claims['mh:con_id']).toEqual({ essential: true, value: connectionId })
    expect(await statusOf(session.id)).toMatchObject({ status: 'connected', userId, connectionId })
  })

  it('refuses an action without the ids, with a bank, or from a browser', async () => {
    expect((await startSession({ action: 'reauth', userId })).status).toBe(400)
    expect((await startSession({ action: 'reauth', userId, connectionId, bankId: 'abc' })).status).toBe(400)
    expect((await startSession({ connectionId, userId })).status).toBe(400)
    expect((await startSession({ action: 'reauth', userId, connectionId }, { origin: 'https://app.example.com' })).status).toBe(403)
  })
})
