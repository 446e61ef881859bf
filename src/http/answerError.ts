import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { ConfigError } from '../config'
import { FlowError, type FlowErrorKind } from '../connection/errors'
import { ApiError } from '../errors'
import { log } from '../util/log'
import { note } from './log'

const STATUS_OF: Record<FlowErrorKind, ContentfulStatusCode> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  unprocessable: 422,
  too_many: 429,
  upstream: 502,
}

/** app.onError: every failure becomes a JSON error; unexpected ones are logged and say nothing of their cause. */
export function answerError(error: Error, c: Context) {
  const body = (status: ContentfulStatusCode, code: string, message: string, fields: Record<string, unknown> = {}) => {
    note(c, status >= 500 ? 'failed' : 'refused', status >= 500 ? 'error' : 'warn', { error: code, ...fields })
    return c.json({ error: code, message: message.slice(0, 500), ...fields }, status)
  }
  if (error instanceof ApiError) return body(error.status, error.code, error.message)
  if (error instanceof FlowError) return body(STATUS_OF[error.kind], error.code, error.message)
  if (error instanceof ConfigError) {
    // Every problem at once, in the answer and in the log line: fixing them one 500 at a time wastes an afternoon.
    const problems = error.problems.map((p) => p.message)
    return body(500, 'config_invalid', `the Worker is misconfigured: ${problems.join('; ')}`, { problems })
  }
  if (error instanceof HTTPException) {
    const status = error.status as ContentfulStatusCode
    return body(status, status === 400 ? 'invalid_request' : 'http_error', error.message || 'request refused')
  }
  log('error', 'unexpected_error', { requestId: c.get('requestId'), name: error.name, message: error.message })
  return body(500, 'internal_error', 'something went wrong on our side')
}
