import type { ErrorCode } from '../errors'

/**
 * A protocol failure with a stable reason code, in the manner of oauth4webapi:
 * the code names the check that failed (e.g. `id_token_nonce_mismatch`), and
 * becomes the session's `error`. Messages never include token material. Its codes are src/errors.ts's (a client may
 * meet them as 502s), but for the identity server's own on the redirect (`access_denied`, …: connection/complete.ts).
 */
export class OidcError<Code extends string = ErrorCode> extends Error {
  constructor(
    readonly code: Code,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'OidcError'
  }
}

/** The identity server could not be reached, timed out, or answered something unusable. */
export class UpstreamError extends OidcError {
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options)
    this.name = 'UpstreamError'
  }
}
