import { base64url } from 'jose'

const encoder = new TextEncoder()

export const toBase64Url = (bytes: Uint8Array): string => base64url.encode(bytes)

export function fromBase64Url(value: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(value)) throw new TypeError('not base64url')
  return base64url.decode(value)
}

/** `bytes` of cryptographic randomness, base64url-encoded. */
export const randomToken = (bytes = 32): string => toBase64Url(crypto.getRandomValues(new Uint8Array(bytes)))

/** SHA-256, base64url-encoded. */
export async function sha256(data: string | Uint8Array): Promise<string> {
  const bytes = typeof data === 'string' ? encoder.encode(data) : data
  return toBase64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)))
}

/** Two strings compared in constant time (digests, keys). */
export function sameDigest(a: string, b: string): boolean {
  const x = encoder.encode(a)
  const y = encoder.encode(b)
  return x.byteLength === y.byteLength && crypto.subtle.timingSafeEqual(x, y)
}
