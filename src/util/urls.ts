import { ApiError } from '../errors'

export const isLoopbackHost = (hostname: string): boolean => hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]'

/**
 * A `returnTo` the user may be sent back to: an absolute http(s) URL (http only
 * on loopback), without credentials, whose origin is one of ALLOWED_ORIGINS.
 * Returns undefined when it is not acceptable.
 */
export function allowedReturnTo(value: string, allowedOrigins: ReadonlySet<string>): URL | undefined {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return undefined
  }
  // new URL() normalises "https:/\evil" and friends; insisting the raw string starts with the parsed origin rules them out.
  if (!value.startsWith(url.origin)) return undefined
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) return undefined
  if (url.username || url.password) return undefined
  return allowedOrigins.has(url.origin) ? url : undefined
}

/** The checked returnTo of a request (undefined when none was given), or 400 `return_to_not_allowed`. */
export function checkedReturnTo(value: string | undefined, allowedOrigins: ReadonlySet<string>): string | undefined {
  if (value === undefined) return undefined
  const url = allowedReturnTo(value, allowedOrigins)
  if (!url) throw new ApiError('return_to_not_allowed', 'returnTo must be an absolute http(s) URL on one of ALLOWED_ORIGINS')
  return url.href
}
