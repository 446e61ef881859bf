/** What the mock's parts share: its constants, its error, and small helpers. */
import { base64url } from 'jose'

export const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
export const CLIENT_ALGS = ['RS256', 'PS256', 'ES256']
export const GROUP_SELECTORS = new Set(['all', 'api', 'legacy', 'test'])
export const ACTIONS = new Set(['reauth', 'reconsent', 'refresh'])
export const MOCK_BANK_ID = '1ffe704d39629a929c8e293880fb449a'
export const PAR_TTL = 60

/** An OAuth error answer (RFC 6749 §5.2). */
export class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status: 400 | 401 | 403 = 400,
  ) {
    super(description)
  }
}

export const random = (bytes = 24) => base64url.encode(crypto.getRandomValues(new Uint8Array(bytes)))
export const hex = (bytes: number) =>
  [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, '0')).join('')
export const sha256b64 = async (s: string) =>
  base64url.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s))))
