/**
 * Per-IP rate limits with the Workers rate-limiting binding (simulated by
 * miniflare locally). Requests carrying an Authorization header are the app
 * backend's (verified by the route itself), and a backend sits behind one IP:
 * they are not limited here. Without cf-connecting-ip (only outside
 * Cloudflare) there is no client address to limit by.
 */
import { createMiddleware } from 'hono/factory'
import { ApiError } from '../errors'
import type { AppEnv } from './context'

export const rateLimit = (binding: 'START_LIMITER' | 'CALLBACK_LIMITER') =>
  createMiddleware<AppEnv>(async (c, next) => {
    const ip = c.req.header('cf-connecting-ip')
    const limiter = c.env[binding]
    if (ip && limiter && c.req.header('authorization') === undefined) {
      const { success } = await limiter.limit({ key: ip })
      if (!success) {
        c.header('retry-after', '60')
        throw new ApiError(429, 'rate_limited', 'too many requests from this address; try again in a minute')
      }
    }
    await next()
  })
