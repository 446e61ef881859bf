import { cors } from 'hono/cors'
import { every } from 'hono/combine'
import { createMiddleware } from 'hono/factory'
import type { Context } from 'hono'
import type { AppEnv } from './context'

/** CORS for ALLOWED_ORIGINS only; no credentials (the frontend routes need none: the session secret is a header, not a cookie). */
export const corsForFrontends = cors({
  origin: (origin, c: Context<AppEnv>) => (c.get('config').allowedOrigins.has(origin) ? origin : null),
  allowMethods: ['GET', 'POST'],
  allowHeaders: ['content-type', 'x-session-secret'],
  maxAge: 600,
})

/** GET /banks: the same origins; the picker may read the validator and the staleness flag. */
export const corsForBankList = cors({
  origin: (origin, c: Context<AppEnv>) => (c.get('config').allowedOrigins.has(origin) ? origin : null),
  allowMethods: ['GET'],
  exposeHeaders: ['etag', 'x-stale', 'x-dropped-entries'],
  maxAge: 600,
})

/**
 * GET /openapi.json is public (a Swagger UI on another origin loads it): CORS `*`, and CORP `cross-origin` in place of
 * secureHeaders' `same-origin` on that route alone (registered before secureHeaders, so that it runs after it).
 */
export const readableFromAnyOrigin = every(
  cors({ origin: '*', allowMethods: ['GET'] }),
  createMiddleware(async (c, next) => {
    await next()
    c.res.headers.set('cross-origin-resource-policy', 'cross-origin')
  }),
)
