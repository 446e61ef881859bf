/**
 * GET /banks gives a bank a health mark once its last hour holds
 * HEALTH_MIN_ATTEMPTS outcomes, from the success rate and the thresholds in
 * the config; the list stays cacheable, with an ETag that changes with the marks.
 */
import { SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { healthOf } from '../bankHealth'
import { connectAccount } from '../helpers'

/** A bank in the mock's published list ("Demo Bank"), so that GET /banks lists it. */
const LISTED_BANK = '5233db2a04fe41dd01d3308ea92e8bd7'
const OTHER_LISTED_BANK = '0b4ac5f6c6c0bf6aee4e6e9eb3bd0d13'
const UNUSED_LISTED_BANK = '7c2e1ab2d1d1fd1e5d6cd3b42aa00b1f'

/** The health-marks configuration (vitest.config.ts): the marks are read afresh on every request (HEALTH_MARK_MAX_AGE_SECONDS=0), with the documented thresholds. */
const bankList = (headers: Record<string, string> = {}) => SELF.fetch('http://proxy.test/banks', { headers })

async function markOf(bank: string) {
  const list = await (await bankList()).json<{ id: string; health?: string }[]>()
  const entry = list.find((b) => b.id === bank)
  expect(entry).toBeDefined()
  return entry!.health
}

async function outcomes(approved: number, denied: number, bankId = LISTED_BANK) {
  for (let i = 0; i < approved; i++) await connectAccount({ bankId })
  for (let i = 0; i < denied; i++) await connectAccount({ bankId }, 'deny')
}

describe('the health mark on GET /banks', () => {
  it('appears at 5 attempts and moves ok → degraded → failing as the success rate crosses 80 % and 50 %', async () => {
    await outcomes(4, 0)
    await healthOf(LISTED_BANK, { attempts: 4 })
    expect(await markOf(LISTED_BANK)).toBeUndefined() // 4 attempts: too few to say

    const before = await bankList()
    const etagBefore = before.headers.get('etag')!
    await outcomes(0, 1)
    await healthOf(LISTED_BANK, { attempts: 5, successRate: 0.8 })
    expect(await markOf(LISTED_BANK)).toBe('ok') // 80 %: not below 80

    const marked = await bankList()
    expect(marked.headers.get('etag')).not.toBe(etagBefore)
    expect(marked.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/)
    const revalidated = await bankList({ 'if-none-match': marked.headers.get('etag')! })
    expect(revalidated.status).toBe(304)

    await outcomes(0, 1)
    await healthOf(LISTED_BANK, { attempts: 6 })
    expect(await markOf(LISTED_BANK)).toBe('degraded') // 4 of 6: 67 %

    await outcomes(0, 3)
    await healthOf(LISTED_BANK, { attempts: 9 })
    expect(await markOf(LISTED_BANK)).toBe('failing') // 4 of 9: 44 %
  })

  it('the counts stay behind the backend key: GET /banks shows only the mark', async () => {
    await outcomes(5, 0, OTHER_LISTED_BANK)
    await healthOf(OTHER_LISTED_BANK, { attempts: 5 })
    const list = await (await bankList()).json<Record<string, unknown>[]>()
    const entry = list.find((b) => b.id === OTHER_LISTED_BANK)!
    expect(entry.health).toBe('ok')
    expect(Object.keys(entry).sort()).toEqual(
      ['accountTypes', 'bankRef', 'country', 'health', 'iconUrl', 'id', 'isBeta', 'name', 'payments', 'status', 'type', 'userTypes'].sort(),
    )
    // A bank without attempts carries no mark.
    expect(list.find((b) => b.id === UNUSED_LISTED_BANK)).not.toHaveProperty('health')
  })
})
