import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { inject } from 'vitest'
import { getConfig } from '../../src/config'
import { deliverWebhook } from '../../src/session/webhook'
import {
  Browser,
  connectAccount,
  mockOrigin,
  refresh,
  refuseWebhooks,
  revokeAtMock,
  sleepMs,
  started,
  tokenSet,
  webhooksFor,
  type ReceivedWebhook,
} from '../helpers'

async function verifySignature(received: ReceivedWebhook, secret = inject('webhookSecret')) {
  const header = received.headers['x-connect-signature']!
  const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header)!
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify'])
  const mac = new Uint8Array(v1!.match(/../g)!.map((h) => parseInt(h, 16)))
  return crypto.subtle.verify('HMAC', key, mac, new TextEncoder().encode(`${t}.${received.body}`))
}

async function waitForWebhooks(id: string, count: number, ms = 8000) {
  const until = Date.now() + ms
  let found = await webhooksFor(id)
  while (found.length < count && Date.now() < until) {
    await sleepMs(200)
    found = await webhooksFor(id)
  }
  return found
}

describe('the webhook to the app backend', () => {
  it('reports connected, signed with HMAC-SHA256, retried after a refusal, without holding up the redirect', async () => {
    const session = await started({ bankId: 'abc' })
    await refuseWebhooks(session.id) // the receiver refuses the first delivery, so the retry shows
    const user = new Browser()
    const response = await user.callback(await user.authorize(session.authorizeUrl))
    const answeredAt = Date.now()
    expect(response.status).toBe(200)
    const received = await waitForWebhooks(session.id, 2)
    expect(received).toHaveLength(2)
    // The user's answer was out before the retry (1 s after the refused delivery) reached the receiver.
    expect(answeredAt).toBeLessThan(received[1]!.at)
    const event = JSON.parse(received[1]!.body)
    expect(event).toEqual({
      eventId: `${session.id}.connected`,
      id: session.id,
      status: 'connected',
      connectionId: expect.stringMatching(/^abc:/),
      userId: expect.any(String),
      sequence: 1,
      occurredAt: expect.any(String),
    })
    for (const delivery of received) expect(await verifySignature(delivery)).toBe(true)
    // One event id for the event and its retries, in the body and a header: the receiver handles it once.
    expect(received.map((d) => d.headers['x-connect-event-id'])).toEqual([`${session.id}.connected`, `${session.id}.connected`])
    expect(await verifySignature(received[1]!, 'another-secret-entirely')).toBe(false)
    // No token in the webhook: the tokens themselves (a random session id may well contain "eyJ").
    const set = await tokenSet(session.id)
    for (const token of [set.access_token, set.id_token]) expect(received[1]!.body).not.toContain(token)
  })

  it('reports failed, with the reason', async () => {
    const session = await started({})
    const user = new Browser()
    await user.callback(await user.authorize(session.authorizeUrl, 'deny'))
    const received = await waitForWebhooks(session.id, 1)
    expect(JSON.parse(received.at(-1)!.body)).toEqual({
      eventId: `${session.id}.failed`,
      id: session.id,
      status: 'failed',
      error: 'access_denied',
      sequence: 1,
      occurredAt: expect.any(String),
    })
  })

  it('reports expired when the access token runs out (the session alarm), and when a refresh token is refused', async () => {
    const timed = await connectAccount({}, 'approve', { expires_in: '2' })
    const byAlarm = await waitForWebhooks(timed.session.id, 2)
    expect(byAlarm.map((w) => JSON.parse(w.body).status)).toEqual(['connected', 'expired'])

    const refused = await connectAccount({ offlineAccess: true })
    await revokeAtMock((await tokenSet(refused.session.id)).refresh_token!)
    expect((await refresh(refused.session.id)).status).toBe(410)
    const byRefresh = await waitForWebhooks(refused.session.id, 2)
    expect(JSON.parse(byRefresh.at(-1)!.body)).toMatchObject({ id: refused.session.id, status: 'expired', error: 'refresh_token_rejected' })
  })

  it('does not follow a redirect: the signed body goes to WEBHOOK_URL only, and a 3xx counts as a failure', async () => {
    const config = await getConfig({ ...env, WEBHOOK_URL: `${mockOrigin()}/__mock/webhooks?redirect=1` })
    const session = { id: 'RedirectTestAAAAAAAAAA', status: 'failed' as const, expiresAt: 0, error: 'access_denied' }
    expect(await deliverWebhook(config, session)).toBe(false)
    expect(await webhooksFor(session.id)).toEqual([])
  })
})
