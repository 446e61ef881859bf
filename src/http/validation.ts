/** Schema validation at the edge (Hono's validator with zod): failures are 400 `invalid_request` naming the fields. */
import { zValidator } from '@hono/zod-validator'
import type { ValidationTargets } from 'hono'
import type { ZodType } from 'zod'
import { ApiError } from '../errors'

export const validate = <T extends ZodType, Target extends keyof ValidationTargets>(target: Target, schema: T) =>
  zValidator(target, schema, (result) => {
    if (!result.success) {
      const problems = result.error.issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
      throw new ApiError(400, 'invalid_request', problems.join('; '))
    }
  })
