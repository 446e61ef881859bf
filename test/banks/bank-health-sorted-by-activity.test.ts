/**
 * GET /banks/health lists at most MAX_BANKS banks, the most active first (starts and outcomes in the last hour), so
 * that banks with nothing happening, however many and however named, never push an active bank out (`omitted`).
 */
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { indexOf } from '../../src/objects/bankHealth'
import { MAX_BANKS } from '../../src/health/report'
import { healthOf, healthReport } from '../bankHealth'
import { connectAccount } from '../helpers'

/** A bank of the mock's list that only this file uses. */
const ACTIVE = 'health-test-10'

describe('GET /banks/health, when more banks are active than it lists', () => {
  it('lists the active bank first and omits the idle ones, whatever their names', async () => {
    // Idle entries in the index, named to sort before every real bank (as fake ids once could be made).
    for (let i = 0; i <= MAX_BANKS; i++) await indexOf(env).report(`0000idle${String(i).padStart(4, '0')}`, [])
    await connectAccount({ bankId: ACTIVE })
    await healthOf(ACTIVE, { attempts: 1 })
    const report = (await healthReport()) as unknown as { banks: { bank: string }[]; omitted: number }
    expect(report.banks).toHaveLength(MAX_BANKS)
    expect(report.omitted).toBeGreaterThan(0)
    const firstIdle = report.banks.findIndex((b) => b.bank.startsWith('0000idle'))
    expect(report.banks.slice(0, firstIdle).map((b) => b.bank)).toContain(ACTIVE)
  })
})
