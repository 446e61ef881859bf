/** Who is calling: the app backend (bearer BACKEND_API_KEY) or a browser on an allowed origin. */
import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import { ApiError } from '../errors'
import type { AppEnv, Caller } from './context'

const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/

/** Whether the request's bearer key is the one whose digest is `expected`: `absent` without an Authorization header. */
async function bearerKeyCheck(c: Context<AppEnv>, expected: ArrayBuffer | undefined): Promise<'valid' | 'invalid' | 'absent'> {
  const header = c.req.header('authorization')
  if (header === undefined) return 'absent'
  const key = BEARER.exec(header)?.[1]
  if (!key || !expected) return 'invalid'
  // Compared as SHA-256 digests so that lengths match and timing says nothing.
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key))
  return crypto.subtle.timingSafeEqual(digest, expected) ? 'valid' : 'invalid'
}

/** Whether the request carries BACKEND_API_KEY: `absent` without an Authorization header. */
export const backendKeyCheck = (c: Context<AppEnv>) => bearerKeyCheck(c, c.get('config').backendKeyDigest)

/** True for a correct bearer key, false with no Authorization header; a wrong key is refused with 401. */
export async function isBackend(c: Context<AppEnv>): Promise<boolean> {
  const check = await backendKeyCheck(c)
  if (check === 'invalid') throw new ApiError('unauthorized', 'the bearer key is not valid')
  return check === 'valid'
}

export const requireBackend = createMiddleware<AppEnv>(async (c, next) => {
  if (!(await isBackend(c))) throw new ApiError('unauthorized', 'this route needs Authorization: Bearer <BACKEND_API_KEY>')
  await next()
})

/** The backend, or else a browser whose Origin is in ALLOWED_ORIGINS. */
export async function backendOrBrowser(c: Context<AppEnv>): Promise<Caller> {
  if (await isBackend(c)) return 'backend'
  const origin = c.req.header('origin')
  if (origin === undefined)
    throw new ApiError('unauthorized', 'send Authorization: Bearer <BACKEND_API_KEY>, or call from an allowed origin')
  if (!c.get('config').allowedOrigins.has(origin)) throw new ApiError('origin_not_allowed', 'this origin is not in ALLOWED_ORIGINS')
  return 'browser'
}

/** Who the caller is, known from the headers before the body is read (and put on the context as `caller`). */
export const identifyCaller = createMiddleware<AppEnv>(async (c, next) => {
  c.set('caller', await backendOrBrowser(c))
  await next()
})

/**
 * GET /banks/health: the read-only HEALTH_API_KEY only (the dashboard keeps it in a page's sessionStorage), never
 * the backend key, so that no page ever holds a key that starts payments.
 */
export const requireHealthKey = createMiddleware<AppEnv>(async (c, next) => {
  const expected = c.get('config').healthKeyDigest
  if ((await bearerKeyCheck(c, expected)) !== 'valid')
    throw new ApiError(
      'unauthorized',
      expected ? 'this route needs Authorization: Bearer <HEALTH_API_KEY>' : 'this route is closed until HEALTH_API_KEY is set',
    )
  await next()
})
