/**
 * Rate limits key IPv6 clients on their /64 (issue 10.3): one host or
 * subscriber holds a whole /64, so its neighbouring addresses share one
 * budget. The status routes (GET /sessions/:id, ?wait, /events) are limited too.
 */
import { SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { clientKey } from '../../src/http/rateLimit'
import { APP_ORIGIN, inOneWindow, startSession } from '../helpers'

describe('the rate-limit key of a client address', () => {
  it.each([
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::9', '2001:db8:1:2::/64'],
    ['2001:0DB8:0001:0002:ffff:ffff:ffff:ffff', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::ffff:203.0.113.9', '203.0.113.9'],
    ['2001:db8:1:2:3:4:192.0.2.1', '2001:db8:1:2::/64'],
    ['203.0.113.9', '203.0.113.9'],
    ['not an address', 'not an address'],
    ['1::2::3', '1::2::3'],
  ])('%s → %s', (address, key) => expect(clientKey(address)).toBe(key))
})

describe('IPv6 neighbours share one budget', { timeout: 60_000 }, () => {
  it('40 addresses in one /64 get 20 starts between them; another /64 is not affected', async () => {
    const answers = await inOneWindow(['2001:db8:aa:1', '2001:db8:aa:11'], async (prefix) => {
      const answers: number[] = []
      for (let i = 1; i <= 40; i++) {
        const address = `${prefix}:${i.toString(16)}::${(i * 7).toString(16)}`
        answers.push((await startSession({}, { origin: APP_ORIGIN, 'cf-connecting-ip': address })).status)
      }
      return answers
    })
    expect(answers.filter((s) => s === 201)).toHaveLength(20)
    expect(answers.slice(20).every((s) => s === 429)).toBe(true)
    expect((await startSession({}, { origin: APP_ORIGIN, 'cf-connecting-ip': '2001:db8:aa:2::1' })).status).toBe(201)
  })

  it('the status routes: 120 reads a minute per client, then 429 for the status, ?wait and /events alike', async () => {
    const { statuses, limited } = await inOneWindow(['2001:db8:bb:1', '2001:db8:bb:11'], async (prefix) => {
      const statuses: number[] = []
      for (let i = 0; i < 120; i++) {
        const response = await SELF.fetch('http://proxy.test/sessions/AAAAAAAAAAAAAAAAAAAAAA', {
          headers: { 'cf-connecting-ip': `${prefix}::${i.toString(16)}` },
        })
        statuses.push(response.status)
      }
      const limited: Response[] = []
      for (const path of ['', '?wait=5', '/events']) {
        limited.push(
          await SELF.fetch(`http://proxy.test/sessions/AAAAAAAAAAAAAAAAAAAAAA${path}`, {
            headers: { 'cf-connecting-ip': `${prefix}:ffff::1` },
          }),
        )
      }
      return { statuses, limited }
    })
    expect(statuses.every((s) => s === 404)).toBe(true)
    for (const response of limited) {
      expect(response.status, response.url).toBe(429)
      expect(await response.json()).toMatchObject({ error: 'rate_limited' })
    }
  })
})
