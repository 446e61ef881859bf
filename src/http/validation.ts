/**
 * Schema validation at the edge: hono-openapi's validator (Standard Schema,
 * with our zod schemas), so that each route's schemas are declared once and
 * also make the OpenAPI document. Failures are 400 `invalid_request` naming
 * the fields.
 */
import type { ValidationTargets } from 'hono'
import { createMiddleware } from 'hono/factory'
import { validator } from 'hono-openapi'
import type { ZodMiniType } from 'zod/mini'
import { ApiError } from '../errors'

/** JSON bodies must say so: a form or text/plain body is refused, not read as an empty object. */
export const requireJson = createMiddleware(async (c, next) => {
  const type = c.req.header('content-type') ?? ''
  if (!/^application\/([a-z0-9.+-]+\+)?json\s*(;|$)/i.test(type)) {
    throw new ApiError(415, 'unsupported_media_type', 'send the body as JSON, with Content-Type: application/json')
  }
  await next()
})

export const validate = <T extends ZodMiniType, Target extends keyof ValidationTargets>(target: Target, schema: T) =>
  validator(target, schema, (result) => {
    if (!result.success) {
      const problems = result.error.map((issue) => {
        const path = (issue.path ?? []).map((p) => (typeof p === 'object' ? String(p.key) : String(p))).join('.')
        return path ? `${path}: ${issue.message}` : issue.message
      })
      throw new ApiError(400, 'invalid_request', problems.join('; '))
    }
  })
