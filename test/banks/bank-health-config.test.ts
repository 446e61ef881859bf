/** The health thresholds are settings like any other: a malformed one is named, never used. */
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { ConfigError, readConfig } from '../../src/config'

const problemsWith = async (overrides: Record<string, string>) => {
  try {
    await readConfig({ ...env, ...overrides })
    return []
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    return error.problems.map((p) => p.variable)
  }
}

describe('the health thresholds', () => {
  it('default to 5 attempts, 80 % and 50 %, and marks reused for 60 s', async () => {
    const { HEALTH_MIN_ATTEMPTS: _, HEALTH_DEGRADED_BELOW_PERCENT: __, ...withoutThem } = env as unknown as Record<string, string>
    expect((await readConfig(withoutThem as unknown as Env)).health).toEqual({
      minAttempts: 5,
      degradedBelowPercent: 80,
      failingBelowPercent: 50,
      markMaxAgeSeconds: 60,
    })
  })

  it('are read from the settings', async () => {
    const config = await readConfig({
      ...env,
      HEALTH_MIN_ATTEMPTS: '20',
      HEALTH_DEGRADED_BELOW_PERCENT: '95',
      HEALTH_FAILING_BELOW_PERCENT: '70',
    })
    expect(config.health).toMatchObject({ minAttempts: 20, degradedBelowPercent: 95, failingBelowPercent: 70 })
  })

  it('refuse what is not a percentage, a failing threshold above the degraded one, and zero attempts', async () => {
    expect(await problemsWith({ HEALTH_DEGRADED_BELOW_PERCENT: '0.8' })).toEqual(['HEALTH_DEGRADED_BELOW_PERCENT'])
    expect(await problemsWith({ HEALTH_FAILING_BELOW_PERCENT: '150' })).toEqual(['HEALTH_FAILING_BELOW_PERCENT'])
    expect(await problemsWith({ HEALTH_FAILING_BELOW_PERCENT: '90' })).toEqual(['HEALTH_FAILING_BELOW_PERCENT'])
    expect(await problemsWith({ HEALTH_MIN_ATTEMPTS: '0' })).toEqual(['HEALTH_MIN_ATTEMPTS'])
  })
})
