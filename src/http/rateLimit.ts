/**
 * Per-client rate limits with the Workers rate-limiting binding (simulated by
 * miniflare locally). A client is its IPv4 address, or the /64 of its IPv6
 * address: one subscriber or host usually holds a whole /64, so keying on the
 * exact address would give each of its 2^64 addresses a budget of its own.
 * Requests with the valid backend key are the app backend's, which sits
 * behind one IP: they are not limited here (any other Authorization header
 * is). Without cf-connecting-ip (only outside Cloudflare) there is no client
 * address to limit by.
 */
import { createMiddleware } from 'hono/factory'
import { ApiError } from '../errors'
import { backendKeyCheck } from './auth'
import type { AppEnv } from './context'

const HEXTET = /^[0-9a-f]{1,4}$/i
const IPV4_TAIL = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/

/** The eight hextets of an IPv6 address (an embedded IPv4 tail counts as two), or undefined when it is not one. */
function hextetsOf(address: string): number[] | undefined {
  let text = address
  const v4 = IPV4_TAIL.exec(text)
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number]
    if ([a, b, c, d].some((x) => x > 255)) return undefined
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const halves = text.split('::')
  if (halves.length > 2) return undefined
  const split = (part: string) => (part ? part.split(':') : [])
  const head = split(halves[0]!)
  const tail = halves.length === 2 ? split(halves[1]!) : []
  const gap = halves.length === 2 ? 8 - head.length - tail.length : 0
  if (halves.length === 2 && gap < 1) return undefined
  const words = [...head, ...Array<string>(gap).fill('0'), ...tail]
  if (words.length !== 8 || !words.every((w) => HEXTET.test(w))) return undefined
  return words.map((w) => parseInt(w, 16))
}

/** The rate-limit key of a client address: an IPv4 address as it is, an IPv6 address by its /64. */
export function clientKey(address: string): string {
  const ip = address.trim().replace(/%.*$/, '') // no zone id
  if (!ip.includes(':')) return ip.slice(0, 64)
  const hextets = hextetsOf(ip)
  if (!hextets) return ip.slice(0, 64)
  // ::ffff:a.b.c.d is an IPv4 client.
  if (hextets.slice(0, 5).every((h) => h === 0) && hextets[5] === 0xffff) {
    return [hextets[6]! >> 8, hextets[6]! & 255, hextets[7]! >> 8, hextets[7]! & 255].join('.')
  }
  return `${hextets
    .slice(0, 4)
    .map((h) => h.toString(16))
    .join(':')}::/64`
}

export type LimiterBinding = 'START_LIMITER' | 'CALLBACK_LIMITER' | 'STATUS_LIMITER'

export const rateLimit = (binding: LimiterBinding) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const ip = c.req.header('cf-connecting-ip')
    const limiter = c.env[binding]
    if (ip && limiter && (await backendKeyCheck(c)) !== 'valid') {
      const { success } = await limiter.limit({ key: clientKey(ip) })
      if (!success) {
        c.header('retry-after', '60')
        throw new ApiError('rate_limited', 'too many requests from this address; try again in a minute')
      }
    }
    await next()
  })
