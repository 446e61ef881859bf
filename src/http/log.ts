/**
 * Structured logs: one JSON line per event, with the request id (hono/request-id,
 * also sent back as X-Request-Id). Nothing secret is logged: query strings are
 * never written, and redact() masks any field named like a secret and any
 * value shaped like a JWT, whatever it is called.
 */
import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'

const SECRET_FIELDS = /^(code|state|nonce|code_verifier|client_assertion|access_token|id_token|refresh_token|authorization|cookie|request|request_uri)$/i
const JWT = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g

export function redact(value: unknown, key = ''): unknown {
  if (SECRET_FIELDS.test(key)) return '[redacted]'
  if (typeof value === 'string') return value.replace(JWT, '[redacted-jwt]')
  if (Array.isArray(value)) return value.map((v) => redact(v))
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, k)]))
  return value
}

export type LogLevel = 'info' | 'warn' | 'error'

export function log(level: LogLevel, event: string, fields: Record<string, unknown> = {}) {
  const line = JSON.stringify(redact({ level, event, time: new Date().toISOString(), ...fields }))
  if (level === 'error') console.error(line)
  else if (level === 'warn') console.warn(line)
  else console.log(line)
}

/** A log line bound to the current request. */
export const logFor = (c: Context) => (level: LogLevel, event: string, fields: Record<string, unknown> = {}) =>
  log(level, event, { requestId: c.get('requestId'), ...fields })

/** One line per request: method, path (never the query), status, duration. */
export const accessLog = createMiddleware(async (c, next) => {
  const started = Date.now()
  await next()
  logFor(c)(c.res.status >= 500 ? 'error' : 'info', 'request', {
    method: c.req.method,
    path: new URL(c.req.url).pathname,
    status: c.res.status,
    ms: Date.now() - started,
  })
})
