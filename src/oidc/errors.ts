/**
 * A protocol failure with a stable reason code, in the manner of oauth4webapi:
 * the code names the check that failed (e.g. `id_token_nonce_mismatch`), and
 * becomes the session's `error`. Messages never include token material.
 */
export class OidcError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'OidcError'
  }
}

/** The identity server could not be reached, timed out, or answered something unusable. */
export class UpstreamError extends OidcError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options)
    this.name = 'UpstreamError'
  }
}
