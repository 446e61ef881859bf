import { SELF } from 'cloudflare:test'
import { beforeEach, describe, expect, it } from 'vitest'
import { APP_ORIGIN, startSession } from './helpers'

const from = (ip: string) => ({ origin: APP_ORIGIN, 'cf-connecting-ip': ip })

/** The limiter's windows are aligned to the wall clock: start a burst well inside one, so that it is not split. */
async function inOneWindow() {
  const intoWindow = Date.now() % 60_000
  if (intoWindow > 50_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoWindow + 100))
}

describe('per-IP rate limits answer 429 with a clear message', { timeout: 30_000 }, () => {
  beforeEach(inOneWindow)

  it('starting sessions from one browser address', async () => {
    const answers: number[] = []
    for (let i = 0; i < 25; i++) answers.push((await startSession({}, from('203.0.113.7'))).status)
    expect(answers.slice(0, 20).every((s) => s === 201)).toBe(true)
    expect(answers.slice(20)).toEqual([429, 429, 429, 429, 429])
    const limited = await startSession({}, from('203.0.113.7'))
    expect(limited.headers.get('retry-after')).toBe('60')
    expect(await limited.json()).toMatchObject({ error: 'rate_limited', message: expect.stringMatching(/too many/) })
    // Another address is not affected.
    expect((await startSession({}, from('203.0.113.8'))).status).toBe(201)
  })

  it('callbacks from one address', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 22; i++) {
      const response = await SELF.fetch(`http://proxy.test/callback?state=x&code=y`, { headers: { 'cf-connecting-ip': '198.51.100.1' } })
      statuses.push(response.status)
    }
    expect(statuses.slice(0, 20).every((s) => s === 400)).toBe(true)
    expect(statuses.slice(20)).toEqual([429, 429])
  })

  it('an Authorization header that is not the backend key does not escape the limit', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 21; i++) {
      const response = await SELF.fetch('http://proxy.test/callback?state=x&code=y', {
        headers: { 'cf-connecting-ip': '198.51.100.2', authorization: 'Bearer anything-at-all' },
      })
      statuses.push(response.status)
    }
    expect(statuses.at(-1)).toBe(429)
    const starts: number[] = []
    for (let i = 0; i < 21; i++)
      starts.push((await startSession({}, { authorization: 'Bearer wrong-key-wrong-key', 'cf-connecting-ip': '198.51.100.3' })).status)
    expect(starts.slice(0, 20).every((s) => s === 401)).toBe(true)
    expect(starts.at(-1)).toBe(429)
  })

  it('the app backend (bearer key) is not limited by its address', async () => {
    for (let i = 0; i < 25; i++)
      expect((await startSession({}, { ...(await import('./helpers')).backendAuth(), 'cf-connecting-ip': '192.0.2.1' })).status).toBe(201)
  })
})
