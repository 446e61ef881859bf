/**
 * Lists read whole and honestly (issue 26 item 5): Moneyhub's list is filtered
 * (startDate/endDate, the user where known), read to its last page (links.next,
 * resumed at the next look when a look's bound of pages is spent) and
 * de-duplicated by id; clocks may differ both ways. `payment_not_made` only
 * after a whole read; a record just outside the window is never a "none".
 * Short deadlines: a 10 s window, so the window's end is part of each test.
 */
import { env, runDurableObjectAlarm } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { Browser, madeAtMockFor, mockOrigin, paymentBody, paymentStatusOf, registerUser, sleepMs, startedPayment, stubOf } from '../helpers'

const WINDOW_S = Number(env.RECONCILIATION_WINDOW_SECONDS)
const atMock = (method: string, path: string, query: Record<string, string>) =>
  fetch(`${mockOrigin()}/__mock${path}?${new URLSearchParams({ clientId: env.MONEYHUB_CLIENT_ID, ...query })}`, { method })

/** A payment whose answer was lost after the mock made it (with `extra` at the mock: a clock fault's offset). */
async function madeAndLost(body: Record<string, unknown>, fault = 'server_error_after_payment', extra: Record<string, string> = {}) {
  const user = new Browser()
  const payment = await startedPayment('/payments', body)
  await user.callback(await user.authorize(payment.authorizeUrl, 'approve', { fault, ...extra }))
  const [made] = await madeAtMockFor(payment.id)
  expect(await paymentStatusOf(payment.id)).toMatchObject({ status: 'confirming' })
  return { id: payment.id, madeId: made!.id }
}

/** The alarm, run twice a second until the session is settled (or stays confirming past the window). */
async function settled(id: string) {
  const deadline = Date.now() + (WINDOW_S + 8) * 1000
  for (;;) {
    await runDurableObjectAlarm(stubOf(id))
    const status = await paymentStatusOf(id)
    if (status.status !== 'confirming' || status.reason === 'match_ambiguous' || Date.now() > deadline) return status
    await sleepMs(500)
  }
}

describe('lists read whole and honestly', () => {
  it('a list that shifts while it is read counts each record once', async () => {
    const userId = await registerUser()
    const { id, madeId } = await madeAndLost(paymentBody({ userId }))
    // The payment is the last of the first page; a new payment arrives after each page is read.
    await atMock('POST', '/payments/fillers', { userId, count: '99' })
    await atMock('POST', '/payments/shift', { userId, reads: '3' })
    expect(await settled(id)).toMatchObject({ status: 'authorised', paymentId: madeId })
  })

  it('a made payment behind 2,000 newer records is found (the read goes on at the next look), never payment_not_made', async () => {
    const userId = await registerUser()
    const { id, madeId } = await madeAndLost(paymentBody({ userId }))
    await atMock('POST', '/payments/fillers', { userId, count: '2000' })
    try {
      expect(await settled(id)).toMatchObject({ status: 'authorised', paymentId: madeId })
    } finally {
      await atMock('DELETE', '/payments/fillers', { userId })
    }
  })

  it('Moneyhub’s clock 3 minutes behind, or ahead: the made payment is found', async () => {
    const behind = await madeAndLost(paymentBody(), 'clock_behind_after_payment', { delay_ms: '180000' })
    const ahead = await madeAndLost(paymentBody(), 'clock_ahead_after_payment', { delay_ms: '180000' })
    const [early, late] = await Promise.all([settled(behind.id), settled(ahead.id)])
    expect(early).toMatchObject({ status: 'authorised', paymentId: behind.madeId })
    expect(late).toMatchObject({ status: 'authorised', paymentId: ahead.madeId })
  })

  it('a record just outside the window (a clock 15 minutes behind) is never a reason for payment_not_made', async () => {
    const lost = await madeAndLost(paymentBody(), 'clock_behind_after_payment', { delay_ms: '900000' })
    const status = await settled(lost.id)
    expect(status).toMatchObject({ status: 'confirming', reason: 'match_ambiguous' })
    expect(status.paymentId).toBeUndefined()
  })
})
