import { SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { APP_ORIGIN, inOneWindow, startSession } from '../helpers'

const from = (ip: string) => ({ origin: APP_ORIGIN, 'cf-connecting-ip': ip })

describe('per-IP rate limits answer 429 with a clear message', { timeout: 60_000 }, () => {
  it('starting sessions from one browser address', async () => {
    const { answers, limited, address } = await inOneWindow(['203.0.113.7', '203.0.113.17'], async (address) => {
      const answers: number[] = []
      for (let i = 0; i < 25; i++) answers.push((await startSession({}, from(address))).status)
      return { answers, limited: await startSession({}, from(address)), address }
    })
    expect(answers.slice(0, 20).every((s) => s === 201)).toBe(true)
    expect(answers.slice(20)).toEqual([429, 429, 429, 429, 429])
    expect(limited.headers.get('retry-after')).toBe('60')
    expect(await limited.json()).toMatchObject({ error: 'rate_limited' })
    // Another address is not affected.
    expect((await startSession({}, from(address.replace(/\d+$/, '8')))).status).toBe(201)
  })

  it('callbacks from one address', async () => {
    const statuses = await inOneWindow(['198.51.100.1', '198.51.100.11'], async (address) => {
      const statuses: number[] = []
      for (let i = 0; i < 22; i++) {
        const response = await SELF.fetch(`http://proxy.test/callback?state=x&code=y`, { headers: { 'cf-connecting-ip': address } })
        statuses.push(response.status)
      }
      return statuses
    })
    expect(statuses.slice(0, 20).every((s) => s === 400)).toBe(true)
    expect(statuses.slice(20)).toEqual([429, 429])
  })

  it('an Authorization header that is not the backend key does not escape the limit', async () => {
    const statuses = await inOneWindow(['198.51.100.2', '198.51.100.12'], async (address) => {
      const statuses: number[] = []
      for (let i = 0; i < 21; i++) {
        const response = await SELF.fetch('http://proxy.test/callback?state=x&code=y', {
          headers: { 'cf-connecting-ip': address, authorization: 'Bearer anything-at-all' },
        })
        statuses.push(response.status)
      }
      return statuses
    })
    expect(statuses.at(-1)).toBe(429)
    const starts = await inOneWindow(['198.51.100.3', '198.51.100.13'], async (address) => {
      const starts: number[] = []
      for (let i = 0; i < 21; i++)
        starts.push((await startSession({}, { authorization: 'Bearer wrong-key-wrong-key', 'cf-connecting-ip': address })).status)
      return starts
    })
    expect(starts.slice(0, 20).every((s) => s === 401)).toBe(true)
    expect(starts.at(-1)).toBe(429)
  })

  it('the app backend (bearer key) is not limited by its address', async () => {
    for (let i = 0; i < 25; i++)
      expect((await startSession({}, { ...(await import('../helpers')).backendAuth(), 'cf-connecting-ip': '192.0.2.1' })).status).toBe(201)
  })
})
