/**
 * The logger: one JSON line per call. Nothing secret is logged: redact() masks
 * any field named like a secret and any value shaped like a JWT, whatever it is
 * called. Free of HTTP, so that any module may log; the request's own line is
 * made in src/http/log.ts. docs/local-development.md lists every event.
 */
const SECRET_FIELDS =
  /^(code|state|nonce|code_verifier|client_assertion|access_token|id_token|refresh_token|authorization|cookie|request|request_uri|secret|x-session-secret)$/i
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
