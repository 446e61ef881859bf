/**
 * A refund's hold whose end was never reported (a lost report) is settled from
 * the refund session's record once its deadline has passed: authorised keeps
 * the amount refunded, failed or gone gives it back, and an outcome not yet
 * known (anything else) keeps holding it: never release what may have moved.
 */
import { env, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { ledgerOf } from '../../src/objects/refundLedger'

const past = () => Math.floor(Date.now() / 1000) - 1
const putRecord = (id: string, status: string) =>
  env.SESSIONS.put(`session:${id}`, JSON.stringify({ v: 1, id, kind: 'reverse_payment', status, expiresAt: past(), createdAt: past() }))

describe('the refund ledger settles lapsed holds from the session record', () => {
  it.each([
    ['no record (lapsed: it may have moved money)', undefined, 'held'],
    ['failed', 'failed', 'released'],
    ['pending past its deadline', 'pending', 'released'],
    ['authorised', 'authorised', 'refunded'],
    ['an outcome not yet known', 'confirming', 'held'],
  ])('%s', async (_, status, expected) => {
    const ledger = ledgerOf(env, crypto.randomUUID())
    const lapsed = `Lapsed${crypto.randomUUID().replace(/-/g, '').slice(0, 16)}`
    if (status) await putRecord(lapsed, status)
    expect(await ledger.hold({ sessionId: lapsed, paymentAmount: 1000, amount: 400, until: past() })).toMatchObject({ ok: true })
    const next = await ledger.hold({ sessionId: 'NextRefundAAAAAAAAAAAA', paymentAmount: 1000, amount: 700, until: past() + 600 })
    if (expected === 'released') expect(next).toMatchObject({ ok: true, remaining: 300 })
    if (expected === 'refunded') expect(next).toMatchObject({ ok: false, code: 'refund_exceeds_remaining', remaining: 600 })
    if (expected === 'held') expect(next).toMatchObject({ ok: false, code: 'refund_in_flight', remaining: 600 })
  })

  it('pending past its deadline, but its callback was claimed (the code may have been sent): held', async () => {
    const ledger = ledgerOf(env, crypto.randomUUID())
    const claimed = `Claimed${crypto.randomUUID().replace(/-/g, '').slice(0, 15)}`
    await putRecord(claimed, 'pending')
    const coordinator = env.SESSION_COORDINATOR.get(env.SESSION_COORDINATOR.idFromName(claimed))
    await runInDurableObject(coordinator, (instance) => {
      const record = { v: 1, id: claimed, kind: 'reverse_payment', status: 'pending', expiresAt: past(), createdAt: past() }
      ;(instance as unknown as { state: unknown }).state = { record, claimedAt: Date.now() }
    })
    expect(await ledger.hold({ sessionId: claimed, paymentAmount: 1000, amount: 400, until: past() })).toMatchObject({ ok: true })
    const next = await ledger.hold({ sessionId: 'NextRefundAAAAAAAAAAAA', paymentAmount: 1000, amount: 700, until: past() + 600 })
    expect(next).toMatchObject({ ok: false, code: 'refund_in_flight', remaining: 600 })
  })
})
