/** HTTP to the identity server: every call has a deadline, and every answer is checked before it is believed. */
import { UpstreamError } from './errors'

export async function upstreamFetch(url: string, init: RequestInit, timeoutMs: number, what: string): Promise<Response> {
  try {
    return await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) })
  } catch (cause) {
    const timedOut = cause instanceof DOMException && (cause.name === 'TimeoutError' || cause.name === 'AbortError')
    throw timedOut
      ? new UpstreamError('upstream_timeout', `${what} did not answer within ${timeoutMs} ms`, { cause })
      : new UpstreamError('upstream_unreachable', `${what} could not be reached`, { cause })
  }
}

/** The JSON object in a response, or an UpstreamError saying why there is none. */
export async function readJsonObject(response: Response, what: string): Promise<Record<string, unknown>> {
  let body: unknown
  try {
    body = await response.json()
  } catch {
    throw new UpstreamError('upstream_invalid_response', `${what} answered ${response.status} with a body that is not JSON`)
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new UpstreamError('upstream_invalid_response', `${what} answered ${response.status} with JSON that is not an object`)
  }
  return body as Record<string, unknown>
}

/** An OAuth error code from an error response (RFC 6749 §5.2), if it looks like one: safe to store and show. */
export function oauthErrorCode(body: Record<string, unknown>): string | undefined {
  const error = body.error
  return typeof error === 'string' && /^[a-z_]{1,64}$/.test(error) ? error : undefined
}

export const FORM = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }
