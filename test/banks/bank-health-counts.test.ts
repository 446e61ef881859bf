/**
 * Each outcome moves the counts it should, for the session's bank, off the
 * user's path: approve, deny, a payment, a start that is never opened, and a
 * group selector (a timeout at the token endpoint: test/short-deadlines/upstream-timeout.test.ts).
 */
import { describe, expect, it } from 'vitest'
import { healthOf, healthReport } from '../bankHealth'
import { APP_ORIGIN, Browser, connectAccount, paymentBody, payThrough, started, startedPayment } from '../helpers'

/**
 * A bank of its own for each test (counts are per bank, and other tests count too): one of the mock's test banks
 * (mock/src/bankLists.ts; a session starts only with a listed bank), health-test-03 to -08 being this file's.
 */
let next = 3
const newBank = () => `health-test-${String(next++).padStart(2, '0')}`

describe('every outcome is counted per bank', () => {
  it('approve: started, opened, returned, connected; a return time and a last success', async () => {
    const bank = newBank()
    const before = Math.floor(Date.now() / 1000)
    await connectAccount({ bankId: bank })
    const report = await healthOf(bank, { started: 1, opened: 1, returned: 1, connected: 1, failed: 0, attempts: 1, successRate: 1 })
    expect(report.lastHour.medianReturnMs).toBeGreaterThan(0)
    expect(report.lastHour.p95ReturnMs).toBeGreaterThanOrEqual(report.lastHour.medianReturnMs)
    expect(report.lastSuccessAt).toBeGreaterThanOrEqual(before)
    expect(report.last24h).toMatchObject({ started: 1, connected: 1 })
    expect(report.group).toBe(false)
    expect(report.hours).toHaveLength(24)
    expect(report.hours.at(-1)).toMatchObject({ attempts: 1, successes: 1, failed: 0 })
  })

  it('deny: failed by its error code, no success', async () => {
    const bank = newBank()
    await connectAccount({ bankId: bank, returnTo: `${APP_ORIGIN}/back` }, 'deny')
    const report = await healthOf(bank, { returned: 1, connected: 0, failed: 1, errors: { access_denied: 1 }, successRate: 0 })
    expect(report.lastSuccessAt).toBeNull()
  })

  it('a payment: authorised', async () => {
    const bank = newBank()
    await payThrough('/payments', paymentBody({ bankId: bank }))
    await healthOf(bank, { started: 1, opened: 1, returned: 1, authorised: 1, connected: 0, successRate: 1 })
  })

  it('a payment retried with its Idempotency-Key is one start', async () => {
    const bank = newBank()
    const body = paymentBody({ bankId: bank })
    const key = { 'idempotency-key': crypto.randomUUID() }
    const first = await startedPayment('/payments', body, key)
    const again = await startedPayment('/payments', body, key)
    expect(again.id).toBe(first.id)
    const user = new Browser()
    await user.callback(await user.authorize(first.authorizeUrl))
    await healthOf(bank, { started: 1, opened: 1, returned: 1, authorised: 1 })
  })

  it('a link opened twice by its browser is one opening; a start never opened is only started', async () => {
    const bank = newBank()
    const user = new Browser()
    const session = await started({ bankId: bank })
    await user.launch(session.authorizeUrl)
    await user.launch(session.authorizeUrl) // the back button
    await started({ bankId: bank })
    await healthOf(bank, { started: 2, opened: 1, returned: 0, attempts: 0, successRate: null })
  })

  it('a session started with a group selector is counted under the group', async () => {
    const before = (await healthReport()).banks.find((b) => b.bank === 'all')?.lastHour.started ?? 0
    await started({})
    const report = await healthOf('all', { started: before + 1 })
    expect(report.group).toBe(true)
  })
})
