/**
 * Per-IP rate limits with the Workers rate-limiting binding (simulated by
 * miniflare locally). Requests with the valid backend key are the app
 * backend's, which sits behind one IP: they are not limited here (any other
 * Authorization header is). Without cf-connecting-ip (only outside
 * Cloudflare) there is no client address to limit by.
 */
import { createMiddleware } from 'hono/factory'
import { ApiError } from '../errors'
import { backendKeyCheck } from './auth'
import type { AppEnv } from './context'

export const rateLimit = (binding: 'START_LIMITER' | 'CALLBACK_LIMITER') =>
  createMiddleware<AppEnv>(async (c, next) => {
    const ip = c.req.header('cf-connecting-ip')
    const limiter = c.env[binding]
    if (ip && limiter && (await backendKeyCheck(c)) !== 'valid') {
      const { success } = await limiter.limit({ key: ip })
      if (!success) {
        c.header('retry-after', '60')
        throw new ApiError(429, 'rate_limited', 'too many requests from this address; try again in a minute')
      }
    }
    await next()
  })
