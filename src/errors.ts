import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

/**
 * An error the API answers with: `{ "error": code, "message": message }`.
 * `code` is stable (clients branch on it); `message` is for humans and never
 * carries a secret.
 */
export class ApiError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly code: string,
    message: string,
  ) {
    super(status, { message })
  }
}
