/**
 * A bank's error counts are keyed by whatever error code the callback carries, so they are kept in null-prototype
 * maps: `error=constructor` (or `__proto__`; codes are `[a-z_]`: session/complete.ts) on the callback is counted as one more failure of that
 * code, never turned into a string or lost through Object.prototype.
 */
import { describe, expect, it } from 'vitest'
import { healthOf } from '../bankHealth'
import { Browser, started } from '../helpers'

/** A bank of the mock's list that only this file uses. */
const BANK = 'health-test-09'

/** A session of BANK whose user comes back from the bank with `error=<code>`. */
async function failedWith(code: string) {
  const user = new Browser()
  const session = await started({ bankId: BANK })
  const back = await user.authorize(session.authorizeUrl, 'deny')
  back.searchParams.set('error', code)
  await user.callback(back)
}

describe('error codes named like Object.prototype members', () => {
  it('are counted as numbers, each under its own code', async () => {
    for (const code of ['constructor', '__proto__', 'access_denied', 'constructor']) await failedWith(code)
    const report = await healthOf(BANK, { returned: 4, failed: 4 })
    expect(report.lastHour.errors).toEqual({ constructor: 2, ['__proto__']: 1, access_denied: 1 })
    expect(report.last24h.failed).toBe(4)
    expect(report.hours.at(-1)).toMatchObject({ failed: 4 })
  })
})
