/**
 * Schema validation at the edge: hono-openapi's validator (Standard Schema,
 * with our valibot schemas), so that each route's schemas are declared once and
 * also make the OpenAPI document. Failures are 400 `invalid_request` naming
 * the fields.
 */
import type { ValidationTargets } from 'hono'
import { createMiddleware } from 'hono/factory'
import { validator } from 'hono-openapi'
import type { GenericSchema } from 'valibot'
import { ApiError } from '../errors'

/** JSON bodies must say so: a form or text/plain body is refused, not read as an empty object. */
export const requireJson = createMiddleware(async (c, next) => {
  const type = c.req.header('content-type') ?? ''
  if (!/^application\/([a-z0-9.+-]+\+)?json\s*(;|$)/i.test(type)) {
    throw new ApiError('unsupported_media_type', 'send the body as JSON, with Content-Type: application/json')
  }
  await next()
})

export const validate = <T extends GenericSchema, Target extends keyof ValidationTargets>(target: Target, schema: T) =>
  validator(target, schema, (result) => {
    if (!result.success) {
      const problems = result.error.map((issue) => {
        const keys = (issue.path ?? []).map((p) => (typeof p === 'object' ? String(p.key) : String(p)))
        // A member the schema does not name is reported at its object, as zod did (src/util/valibot.ts's message names it).
        if ((issue as { expected?: unknown }).expected === 'never' && (issue.path?.at(-1) as { origin?: string })?.origin === 'key')
          keys.pop()
        const path = keys.join('.')
        return path ? `${path}: ${issue.message}` : issue.message
      })
      throw new ApiError('invalid_request', problems.join('; '))
    }
  })
