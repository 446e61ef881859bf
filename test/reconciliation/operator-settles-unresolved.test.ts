/**
 * When a person must look (issue 26 item 6): the backend lists the sessions whose outcome is unknown
 * (GET /unresolved-sessions) and settles one (POST /unresolved-sessions/:id/settle) with the Moneyhub id of its
 * record, held for it first, or as not made; a webhook follows. An id another session holds is refused.
 */
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { holderOfMoneyhubId, holdMoneyhubId } from '../../src/objects/moneyhubIdIndex'
import { backendJson, Browser, eventually, madeAtMockFor, paymentBody, paymentStatusOf, startedPayment, webhooksFor } from '../helpers'

/** A payment whose token request got a 5xx: confirming, nothing made (or, with `server_error_after_payment`, made). */
async function confirming(fault = 'server_error') {
  const user = new Browser()
  const payment = await startedPayment('/payments', paymentBody())
  await user.callback(await user.authorize(payment.authorizeUrl, 'approve', { fault }))
  expect(await paymentStatusOf(payment.id)).toMatchObject({ status: 'confirming' })
  return payment.id
}

const listed = async () => {
  const response = await backendJson('GET', '/unresolved-sessions?limit=1000')
  expect(response.status).toBe(200)
  return (await response.json<{ sessions: { id: string; kind: string; status: string; reason?: string }[] }>()).sessions
}
const settle = (id: string, body: unknown, headers?: Record<string, string>) =>
  backendJson('POST', `/unresolved-sessions/${id}/settle`, body, headers)
const statusesSent = async (id: string, count: number) =>
  eventually(
    async () => (await webhooksFor(id)).map((w) => JSON.parse(w.body) as Record<string, unknown>),
    (events) => events.length >= count,
  )

describe('the unresolved sessions, for a person', () => {
  it('pages the list with limit and cursor', async () => {
    const ids = [await confirming(), await confirming()]
    const seen: string[] = []
    let cursor: string | undefined
    do {
      const page = await (
        await backendJson('GET', `/unresolved-sessions?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
      ).json<{ sessions: { id: string }[]; cursor?: string }>()
      expect(page.sessions.length).toBeLessThanOrEqual(1)
      seen.push(...page.sessions.map((s) => s.id))
      cursor = page.cursor
    } while (cursor)
    expect(seen).toEqual(expect.arrayContaining(ids))
  })

  it('lists a confirming payment, and settles it as not made: failed, a webhook, no longer listed', async () => {
    const id = await confirming()
    expect(await listed()).toContainEqual(expect.objectContaining({ id, kind: 'payment', status: 'confirming' }))
    const settled = await settle(id, { notMade: true })
    expect(settled.status).toBe(200)
    expect(await settled.json()).toMatchObject({ id, status: 'failed', error: 'payment_not_made' })
    expect(await paymentStatusOf(id)).toMatchObject({ status: 'failed', error: 'payment_not_made' })
    expect((await statusesSent(id, 2)).map((e) => e.status)).toEqual(['confirming', 'failed'])
    expect((await listed()).map((s) => s.id)).not.toContain(id)
    const again = await settle(id, { notMade: true })
    expect(again.status).toBe(409)
    expect(await again.json()).toMatchObject({ error: 'session_not_unresolved' })
  })

  it('settles it with a Moneyhub id, held for it first: authorised with that id, a webhook', async () => {
    // Its own record, made at Moneyhub (a record of another payment is refused: settle-checks-the-record.test.ts).
    const id = await confirming('server_error_after_payment')
    const paymentId = (await madeAtMockFor(id))[0]!.id
    const settled = await settle(id, { paymentId })
    expect(settled.status).toBe(200)
    expect(await settled.json()).toMatchObject({ id, status: 'authorised', paymentId })
    expect(await holderOfMoneyhubId(env, paymentId)).toMatchObject({ kind: 'payment', holder: id })
    expect((await statusesSent(id, 2)).map((e) => e.status)).toEqual(['confirming', 'authorised'])
    expect((await listed()).map((s) => s.id)).not.toContain(id)
  })

  it('refuses an id another session holds (409), and leaves the session unresolved', async () => {
    const id = await confirming()
    const paymentId = `pay-${crypto.randomUUID()}`
    expect(await holdMoneyhubId(env, 'payment', paymentId, 'AnotherSessionAAAAAAAA')).toEqual({ ok: true })
    const refused = await settle(id, { paymentId })
    expect(refused.status).toBe(409)
    expect(await refused.json()).toMatchObject({ error: 'moneyhub_id_held' })
    expect(await paymentStatusOf(id)).toMatchObject({ status: 'confirming' })
    expect((await listed()).map((s) => s.id)).toContain(id)
  })

  it('is for the backend; bad input is a clear 4xx', async () => {
    const id = await confirming()
    expect((await backendJson('GET', '/unresolved-sessions', undefined, {})).status).toBe(401)
    expect((await settle(id, { notMade: true }, {})).status).toBe(401)
    for (const body of [{}, { notMade: false }, { notMade: true, paymentId: 'x' }, { paymentId: '' }, { paymentId: 'a b' }, { other: 1 }]) {
      const response = await settle(id, body)
      expect(response.status, JSON.stringify(body)).toBe(400)
    }
    const mismatch = await settle(id, { standingOrderId: 'so-1' })
    expect(mismatch.status).toBe(400)
    expect(await mismatch.json()).toMatchObject({ error: 'settle_field_mismatch' })
    expect((await settle('NoSuchSessionAAAAAAAAA', { notMade: true })).status).toBe(404)
    expect((await backendJson('GET', '/unresolved-sessions?limit=0')).status).toBe(400)
    expect((await backendJson('GET', '/unresolved-sessions?cursor=%3Cnot%20a%20cursor%3E')).status).toBe(400)
    expect(await paymentStatusOf(id)).toMatchObject({ status: 'confirming' })
  })
})
