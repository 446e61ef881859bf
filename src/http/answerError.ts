import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { ConfigError } from '../config'
import { ApiError, ERRORS, type ErrorCode } from '../errors'
import { log } from '../util/log'
import { note } from './log'

/** app.onError: every failure becomes a JSON error; unexpected ones are logged and say nothing of their cause. */
export function answerError(error: Error, c: Context) {
  const body = (code: ErrorCode, message: string, fields: Record<string, unknown> = {}, status: ContentfulStatusCode = ERRORS[code]) => {
    note(c, status >= 500 ? 'failed' : 'refused', status >= 500 ? 'error' : 'warn', { error: code, ...fields })
    return c.json({ error: code, message: message.slice(0, 500), ...fields }, status)
  }
  if (error instanceof ApiError) return body(error.code, error.message)
  if (error instanceof ConfigError) {
    // Every problem at once, in the answer and in the log line: fixing them one 500 at a time wastes an afternoon.
    const problems = error.problems.map((p) => p.message)
    return body('config_invalid', `the Worker is misconfigured: ${problems.join('; ')}`, { problems })
  }
  if (error instanceof HTTPException) {
    // Hono's own (a validator's 400): the one status not chosen by the table, as the framework chose it.
    const status = error.status as ContentfulStatusCode
    return status === 400
      ? body('invalid_request', error.message || 'request refused')
      : body('http_error', error.message || 'request refused', {}, status)
  }
  log('error', 'unexpected_error', { requestId: c.get('requestId'), name: error.name, message: error.message })
  return body('internal_error', 'something went wrong on our side')
}
