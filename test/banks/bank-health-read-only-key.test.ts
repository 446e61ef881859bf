/**
 * GET /banks/health (the dashboard's data) answers a read-only key of its own, HEALTH_API_KEY, and no other: not
 * the backend key, which starts payments, refunds and VRP pays and so must never sit in a page's sessionStorage.
 * The health key opens nothing else.
 */
import { env, SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { ConfigError, readConfig } from '../../src/config'
import { backendAuth, backendJson, paymentBody, started } from '../helpers'

const health = (headers: Record<string, string> = {}) => SELF.fetch('http://proxy.test/banks/health', { headers })
const healthAuth = () => ({ authorization: `Bearer ${env.HEALTH_API_KEY}` })

const problemsWith = async (overrides: Record<string, string | undefined>) => {
  try {
    await readConfig({ ...env, ...overrides } as Env)
    return []
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    return error.problems.map((p) => p.variable)
  }
}

describe('GET /banks/health and HEALTH_API_KEY', () => {
  it('refuses without a key, with a wrong one, with an Origin only, and with the backend key', async () => {
    for (const headers of [{}, { authorization: 'Bearer not-the-health-key' }, { origin: 'https://app.example.com' }, backendAuth()]) {
      const response = await health(headers as Record<string, string>)
      expect(response.status).toBe(401)
      expect(await response.json()).toMatchObject({ error: 'unauthorized' })
    }
  })

  it('answers the health key, never cached', async () => {
    const response = await health(healthAuth())
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(await response.json()).toMatchObject({
      banks: expect.any(Array),
      // The configured thresholds (this project's HEALTH_MIN_ATTEMPTS, vitest.config.ts; the documented percentages).
      thresholds: { minAttempts: Number(env.HEALTH_MIN_ATTEMPTS), degradedBelowPercent: 80, failingBelowPercent: 50 },
    })
  })

  it('the health key opens nothing else', async () => {
    expect((await backendJson('POST', '/sessions', {}, healthAuth())).status).toBe(401)
    expect((await backendJson('POST', '/payments', paymentBody(), healthAuth())).status).toBe(401)
    const session = await started({})
    expect((await backendJson('GET', `/sessions/${session.id}/tokens`, undefined, healthAuth())).status).toBe(401)
  })

  it('is refused in the settings when short or the same as BACKEND_API_KEY; without it the route is closed', async () => {
    expect(await problemsWith({ HEALTH_API_KEY: 'short' })).toEqual(['HEALTH_API_KEY'])
    expect(await problemsWith({ HEALTH_API_KEY: env.BACKEND_API_KEY })).toEqual(['HEALTH_API_KEY'])
    expect(await problemsWith({ HEALTH_API_KEY: undefined })).toEqual([])
    expect((await readConfig({ ...env, HEALTH_API_KEY: undefined } as unknown as Env)).healthKeyDigest).toBeUndefined()
  })
})
