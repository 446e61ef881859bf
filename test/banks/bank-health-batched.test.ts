/**
 * Counting sends an isolate's events in batches (src/health/count.ts), so a
 * bank's Durable Object may hear a session's outcome before its opening when
 * the two come from different isolates: the counts still add up, and the
 * opening heard late never lapses.
 */
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { bankHealthOf } from '../../src/objects/bankHealth'

const newBank = () => crypto.randomUUID().replaceAll('-', '')

describe('a bank hears its events in batches', () => {
  it('several sessions in one batch: each stage counted once, with its return time', async () => {
    const bank = newBank()
    const now = Date.now()
    const expiresAt = Math.floor(now / 1000) + 600
    const health = bankHealthOf(env, bank)
    await health.count([
      { stage: 'started', bank, session: 'a', at: now - 3000 },
      { stage: 'started', bank, session: 'b', at: now - 2900 },
      { stage: 'opened', bank, session: 'a', at: now - 2000, expiresAt },
      { stage: 'opened', bank, session: 'a', at: now - 1900, expiresAt }, // the same link again
      { stage: 'opened', bank, session: 'b', at: now - 1800, expiresAt },
      { stage: 'outcome', bank, session: 'a', at: now - 1000, status: 'connected' },
    ])
    const summary = await health.summary()
    expect(summary.lastHour).toMatchObject({ started: 2, opened: 2, returned: 1, connected: 1, lapsed: 0, attempts: 1 })
    expect(summary.lastHour.medianReturnMs).toBeGreaterThanOrEqual(1000)
  })

  it('an opening heard after its outcome (another isolate’s batch) is counted and never lapses', async () => {
    const bank = newBank()
    const now = Date.now()
    const health = bankHealthOf(env, bank)
    await health.count([{ stage: 'outcome', bank, session: 's', at: now - 500, status: 'failed', error: 'access_denied' }])
    // Its link's deadline is long past: were it kept open, the next batch would count it as lapsed.
    await health.count([{ stage: 'opened', bank, session: 's', at: now - 5000, expiresAt: Math.floor(now / 1000) - 600 }])
    await health.count([{ stage: 'started', bank, session: 't', at: now }])
    expect((await health.summary()).lastHour).toMatchObject({ started: 1, opened: 1, returned: 1, failed: 1, lapsed: 0, attempts: 1 })
  })
})
