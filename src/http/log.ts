/**
 * Structured logs: one JSON line per request, with the request id (made
 * here, never taken from the caller; sent back as X-Request-Id), the caller's
 * own X-Request-Id apart and cleaned (`callerRequestId`), the route's event and its
 * fields. Nothing secret is logged: query strings are never written, and
 * redact() masks any field named like a secret and any value shaped like a
 * JWT, whatever it is called. Successful status polls, health checks and
 * launches are not logged: they are many and say nothing the next line won't.
 * Levels: `info` for what went as it may (a user's refusal included), `warn`
 * and `error` for what an operator must look at. docs/local-development.md
 * lists every event.
 */
import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import { log, type LogLevel } from '../util/log'

interface Noted {
  event: string
  level: LogLevel
  fields: Record<string, unknown>
}

/** Names what this request did, for its log line: `note(c, 'session_completed', 'info', { sessionId, status })`. */
export function note(c: Context, event: string, level: LogLevel, fields: Record<string, unknown>) {
  c.set('logNote', { event, level, fields } satisfies Noted)
}

/** A caller's X-Request-Id, for correlation only: at most 64 characters, anything but letters, digits and -_.: replaced by _. */
export function callerRequestId(value: string | undefined): string | undefined {
  if (!value) return undefined
  return value.slice(0, 64).replace(/[^A-Za-z0-9_.:-]/g, '_')
}

/** Gives every request an id of our own (X-Request-Id on the answer); the caller's, if any, is logged beside it. */
export const requestIds = createMiddleware(async (c, next) => {
  const id = crypto.randomUUID()
  c.set('requestId', id)
  c.header('x-request-id', id)
  await next()
})

/**
 * Successful answers not worth a line: health checks, status polls (sessions and payments), and opening an
 * authorizeUrl (its outcome is logged at the callback).
 */
const QUIET = /^\/(health|(sessions|payments)\/[A-Za-z0-9_-]{22}|sessions\/[A-Za-z0-9_-]{22}\/authorize)$/

/** One line per request: its event (or `request`), method, path (never the query), status, duration and the route's fields. */
export const accessLog = createMiddleware(async (c, next) => {
  const started = Date.now()
  await next()
  const path = new URL(c.req.url).pathname
  const noted = c.get('logNote') as Noted | undefined
  if (!noted && c.req.method === 'GET' && (c.res.status === 200 || c.res.status === 303) && QUIET.test(path)) return
  const level = c.res.status >= 500 ? 'error' : (noted?.level ?? (c.res.status >= 400 ? 'warn' : 'info'))
  log(level, noted?.event ?? 'request', {
    requestId: c.get('requestId'),
    ...(c.req.header('x-request-id') ? { callerRequestId: callerRequestId(c.req.header('x-request-id')) } : {}),
    method: c.req.method,
    path,
    status: c.res.status,
    ms: Date.now() - started,
    ...noted?.fields,
  })
})
