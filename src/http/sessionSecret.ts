/**
 * The session secret: ties a session started in a browser to the page that
 * started it (SECURITY.md, "a session started by someone else").
 *
 * POST /sessions from a browser answers, to that page only, with `secret`
 * (128 random bits); the record keeps its SHA-256 (`secretHash`), never the
 * secret. The status routes of such a session (GET /sessions/:id, ?wait, and
 * /events) then answer only a caller that shows the secret: the
 * `X-Session-Secret` header, or `?secret=` where a header cannot be set
 * (EventSource). The app backend (valid backend key) is exempt. Sessions the
 * backend starts carry no secret: the backend ties them to its user itself.
 */
import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import * as v from 'valibot'
import { randomToken, sha256 } from '../util/encoding'
import { ApiError } from '../errors'
import { backendKeyCheck } from './auth'
import type { AppEnv } from './context'

export const SESSION_SECRET_HEADER = 'x-session-secret'
/** The query form (`?secret=`), for EventSource; bounded like the header. */
export const sessionSecretQuery = v.pipe(v.string(), v.maxLength(64))

export async function newSessionSecret(): Promise<{ secret: string; secretHash: string }> {
  const secret = randomToken(16)
  return { secret, secretHash: await sha256(secret) }
}

/** Whether `given` is the secret whose hash is stored; compared as digests, in constant time. */
async function secretMatches(given: string, secretHash: string): Promise<boolean> {
  const digest = (value: string) => crypto.subtle.digest('SHA-256', new TextEncoder().encode(value))
  return crypto.subtle.timingSafeEqual(await digest(await sha256(given)), await digest(secretHash))
}

const givenSecret = (c: Context<AppEnv>) => c.req.header(SESSION_SECRET_HEADER) ?? c.req.query('secret')

/**
 * For the status routes of `/sessions/:id`: a session with a secret answers only
 * with it (403 `session_secret_required` otherwise). An unknown id passes on, to
 * the route's own 404.
 */
export const requireSessionSecret = createMiddleware<AppEnv>(async (c, next) => {
  const id = c.req.param('id')
  const record = id ? await c.get('store').getForStatus(id) : undefined
  if (record?.secretHash && (await backendKeyCheck(c)) !== 'valid') {
    const given = givenSecret(c)
    if (!given || given.length > 64 || !(await secretMatches(given, record.secretHash))) {
      throw new ApiError(
        'session_secret_required',
        'this session was started in another page: send the secret its start returned (X-Session-Secret, or ?secret= for EventSource)',
      )
    }
    // A caller with the secret always gets a status watcher (watcherFairness.ts).
    c.set('secretShown', true)
  }
  await next()
})
