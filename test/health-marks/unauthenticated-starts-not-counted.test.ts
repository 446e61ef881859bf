/**
 * Bank health counts only sessions the backend started (docs/bank-health.md, "What is counted"): anyone can start
 * GET /connect, and POST /sessions with an allowed Origin (a header any client can send), so neither can move a
 * bank's counts or its mark on the public GET /banks.
 */
import { SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { healthOf, healthReport } from '../bankHealth'
import { APP_ORIGIN, Browser, connectAccount, started } from '../helpers'

/** Banks of the mock's list that only this file uses (mock/src/bankLists.ts). */
const HEALTHY_BANK = 'health-test-01'
const ABANDONED_BANK = 'health-test-02'

const markOf = async (bank: string) =>
  (await (await SELF.fetch('http://proxy.test/banks')).json<{ id: string; health?: string }[]>()).find((b) => b.id === bank)?.health

/** GET /connect?bankId=…, then the user cancels at Moneyhub and comes back. */
async function connectAndCancel(bankId: string) {
  const user = new Browser()
  const start = await user.open(`http://proxy.test/connect?bankId=${bankId}`)
  expect(start.status).toBe(303)
  const back = await user.decide(start.headers.get('location')!, 'deny')
  await user.callback(back)
}

describe('starts nobody authenticated are not counted', () => {
  it('eight GET /connect cancelled at Moneyhub do not turn a healthy bank failing', async () => {
    for (let i = 0; i < 5; i++) await connectAccount({ bankId: HEALTHY_BANK })
    await healthOf(HEALTHY_BANK, { attempts: 5, successRate: 1 })
    expect(await markOf(HEALTHY_BANK)).toBe('ok')

    for (let i = 0; i < 8; i++) await connectAndCancel(HEALTHY_BANK)
    // One more backend start, counted after the others were sent: once it lands, theirs would have too.
    await started({ bankId: HEALTHY_BANK })
    const report = await healthOf(HEALTHY_BANK, { started: 6 })
    expect(report.lastHour).toMatchObject({ opened: 5, returned: 5, failed: 0, attempts: 5, successRate: 1 })
    expect(await markOf(HEALTHY_BANK)).toBe('ok')
  })

  it('links started with an allowed Origin (spoofable) and abandoned are neither started nor open, so they cannot lapse', async () => {
    for (let i = 0; i < 3; i++) {
      const session = await started({ bankId: ABANDONED_BANK }, { origin: APP_ORIGIN })
      await new Browser().launch(session.authorizeUrl) // opened, never returned from
    }
    await started({ bankId: ABANDONED_BANK })
    const report = await healthOf(ABANDONED_BANK, { started: 1 })
    expect(report.lastHour).toMatchObject({ opened: 0, returned: 0, lapsed: 0, attempts: 0 })
    expect((await healthReport()).banks.filter((b) => b.bank === ABANDONED_BANK)).toHaveLength(1)
  })
})
