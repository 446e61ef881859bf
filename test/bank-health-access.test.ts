/** GET /banks/health reveals the app's traffic: it answers the backend key only. */
import { env, SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { backendAuth } from './helpers'

const health = (headers: Record<string, string> = {}) => SELF.fetch('http://proxy.test/banks/health', { headers })

describe('GET /banks/health', () => {
  it('refuses without the backend key, and with a wrong one', async () => {
    for (const headers of [
      {} as Record<string, string>,
      { authorization: 'Bearer not-the-backend-key' },
      { origin: 'https://app.example.com' },
    ]) {
      const response = await health(headers)
      expect(response.status).toBe(401)
      expect(await response.json()).toMatchObject({ error: 'unauthorized' })
    }
  })

  it('answers the backend, never cached', async () => {
    const response = await health(backendAuth())
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(await response.json()).toMatchObject({
      banks: expect.any(Array),
      // The configured thresholds (this project's HEALTH_MIN_ATTEMPTS, vitest.config.ts; the documented percentages).
      thresholds: { minAttempts: Number(env.HEALTH_MIN_ATTEMPTS), degradedBelowPercent: 80, failingBelowPercent: 50 },
    })
  })
})
