/**
 * GET /banks shows Moneyhub's own view of each provider (WellKnownConnection.status, moneyhub/moneyhub-api-client
 * src/schema/connection.ts) beside the project's health mark, and the mark takes it into account: a bank Moneyhub
 * calls TEMPORARILY_UNAVAILABLE or PERMANENTLY_UNAVAILABLE is `failing`, PARTIALLY_AVAILABLE at best `degraded`,
 * whatever the project's own counts say (this project counts too few attempts for a mark of its own).
 */
import { SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { MOCK_BANK_ID } from '../helpers'

/** In the mock's list (mock/src/bankLists.ts). */
const TEMPORARILY_UNAVAILABLE = 'd0a1c2b3e4f5a6b7c8d9e0f1a2b3c4d5'
const PARTIALLY_AVAILABLE = 'e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6'

const list = async () => (await SELF.fetch('http://proxy.test/banks')).json<{ id: string; health?: string; status?: unknown }[]>()

describe("Moneyhub's status of a bank on GET /banks", () => {
  it('is shown beside the mark, and a bank Moneyhub calls unavailable is not ok', async () => {
    const banks = await list()
    expect(banks.find((b) => b.id === TEMPORARILY_UNAVAILABLE)).toMatchObject({
      status: { sync: 'AVAILABLE', auth: 'TEMPORARILY_UNAVAILABLE' },
      health: 'failing',
    })
    expect(banks.find((b) => b.id === PARTIALLY_AVAILABLE)).toMatchObject({
      status: { auth: 'PARTIALLY_AVAILABLE' },
      health: 'degraded',
    })
    // Available, and too few attempts of its own: no mark.
    const available = banks.find((b) => b.id === MOCK_BANK_ID)!
    expect(available.status).toEqual({ sync: 'AVAILABLE', auth: 'AVAILABLE' })
    expect(available).not.toHaveProperty('health')
  })
})
