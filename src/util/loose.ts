/**
 * Reading an answer leniently, where the official client's declared types and the answers differ (5.2.1, 6.x): a
 * member is taken when it has the shape wanted, and otherwise treated as absent, never as an error.
 */
export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** A non-empty string, or undefined. */
export const text = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : undefined)
