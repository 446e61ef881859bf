import { cors } from 'hono/cors'
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
