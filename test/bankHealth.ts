/** Reading GET /banks/health in tests: counting is off the user's path, so a count lands a moment after its request. */
import { env, SELF } from 'cloudflare:test'
import { expect } from 'vitest'

type Window = Record<string, any>
interface BankReport {
  bank: string
  group: boolean
  lastHour: Window
  last24h: Window
  lastSuccessAt: number | null
  hours: Record<string, number>[]
}

export async function healthReport(): Promise<{ banks: BankReport[] }> {
  const response = await SELF.fetch('http://proxy.test/banks/health', { headers: { authorization: `Bearer ${env.HEALTH_API_KEY}` } })
  expect(response.status).toBe(200)
  return response.json()
}

/** Polls GET /banks/health until `bank`'s last hour matches (counting is off the user's path, so it lands a moment later). */
export async function healthOf(bank: string, expected: Record<string, unknown>, deadlineMs = 20_000): Promise<BankReport> {
  const until = Date.now() + deadlineMs
  for (;;) {
    const found = (await healthReport()).banks.find((b) => b.bank === bank)
    try {
      expect(found?.lastHour).toMatchObject(expected)
      return found!
    } catch (error) {
      if (Date.now() > until) throw error
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
}
