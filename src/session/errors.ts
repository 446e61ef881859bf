/** Why a request cannot be served, independent of HTTP; routes map `kind` to a status (src/errors.ts). */
export type FlowErrorKind =
  | 'invalid'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'gone'
  /** Well-formed, but not what it may be (an amount over the consent's maximum, an Idempotency-Key reused): 422. */
  | 'unprocessable'
  | 'too_many'
  | 'upstream'

export class FlowError extends Error {
  constructor(
    readonly kind: FlowErrorKind,
    readonly code: string,
    message: string,
  ) {
    super(message)
    this.name = 'FlowError'
  }
}
