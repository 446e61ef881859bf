import { describe, expect, it } from 'vitest'
import { browser, callback, claimsOf, MOCK_BANK_ID, pushedRequestFor, started, statusOf, tokenRequestFor } from '../helpers'

describe('the app backend connects another bank for a known user', () => {
  it('asks for the sub claim with the user id, sends sub with the code, and keeps the user id', async () => {
    const userId = '60537b074c4b6fdf12024658'
    const session = await started({ bankId: MOCK_BANK_ID, userId })
    const identityUrl = await browser.launch(session.authorizeUrl)
    const pushed = await pushedRequestFor(identityUrl)
    expect(JSON.parse(pushed.params.claims!)).toEqual({
      id_token: { sub: { essential: true, value: userId }, 'mh:con_id': { essential: true } },
    })

    const back = await browser.decide(identityUrl)
    expect((await callback(back)).status).toBe(200)

    const sent = await tokenRequestFor(back.searchParams.get('code')!)
    expect(sent.params.sub).toBe(userId)
    expect(claimsOf(sent.answer!.id_token as string).sub).toBe(userId)
    expect(await statusOf(session.id)).toMatchObject({ status: 'connected', userId, bankId: MOCK_BANK_ID })
  })

  it('re-authorises an existing connection: scope "openid reauth", sub and mh:con_id with values, no bank selector', async () => {
    const userId = '60537b074c4b6fdf12024658'
    const connectionId = `${MOCK_BANK_ID}:06737ffe-cdff-4047-a1d3-b54ebc8c368b`
    const session = await started({ userId, connectionId, action: 'reauth' })
    const identityUrl = await browser.launch(session.authorizeUrl)
    const pushed = await pushedRequestFor(identityUrl)
    expect(pushed.params.scope).toBe('openid reauth')
    expect(JSON.parse(pushed.params.claims!).id_token).toEqual({
      sub: { essential: true, value: userId },
      'mh:con_id': { essential: true, value: connectionId },
    })
    await callback(await browser.decide(identityUrl))
    expect(await statusOf(session.id)).toMatchObject({ status: 'connected', userId, connectionId })
  })
})
