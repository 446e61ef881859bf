/**
 * Body size limits (hono/body-limit): a body is counted as it arrives and
 * refused with 413 once it passes the limit, before anything parses it. A
 * declared Content-Length over the limit is refused without reading a byte.
 */
import { bodyLimit } from 'hono/body-limit'
import { ApiError } from '../errors'

/** POST /sessions: the largest valid start (every field at its maximum) is under 6 KB of JSON. */
export const MAX_START_BODY_BYTES = 8 * 1024
/** Any other body (the hybrid flow's form_post: an id_token of up to 8 KB, a code, a state, percent-encoded). */
export const MAX_BODY_BYTES = 32 * 1024

export const limitBody = (maxSize: number) =>
  bodyLimit({
    maxSize,
    onError: () => {
      throw new ApiError('body_too_large', `the body is larger than this route accepts (${maxSize} bytes)`)
    },
  })
