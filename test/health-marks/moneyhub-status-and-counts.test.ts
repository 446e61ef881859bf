/**
 * The mark on GET /banks weighs Moneyhub's status.auth (WellKnownConnection.status: moneyhub/moneyhub-api-client,
 * src/schema/connection.ts) with the bank's own counts: every connection succeeding does not make `ok` a bank
 * Moneyhub calls TEMPORARILY_UNAVAILABLE (failing) or PARTIALLY_AVAILABLE (degraded).
 */
import { SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { healthOf } from '../bankHealth'
import { connectAccount } from '../helpers'

/** In the mock's list (mock/src/bankLists.ts). */
const TEMPORARILY_UNAVAILABLE = 'd0a1c2b3e4f5a6b7c8d9e0f1a2b3c4d5'
const PARTIALLY_AVAILABLE = 'e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6'

describe("Moneyhub's status and the bank's own counts", () => {
  it('five successes in the hour: still failing when Moneyhub says unavailable, degraded when partly available', async () => {
    for (const bankId of [TEMPORARILY_UNAVAILABLE, PARTIALLY_AVAILABLE]) {
      for (let i = 0; i < 5; i++) await connectAccount({ bankId })
      await healthOf(bankId, { attempts: 5, successRate: 1 })
    }
    const list = await (await SELF.fetch('http://proxy.test/banks')).json<{ id: string; health?: string }[]>()
    expect(list.find((b) => b.id === TEMPORARILY_UNAVAILABLE)?.health).toBe('failing')
    expect(list.find((b) => b.id === PARTIALLY_AVAILABLE)?.health).toBe('degraded')
  })
})
