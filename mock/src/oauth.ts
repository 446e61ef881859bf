/** What the mock's parts share: its constants, its error, and small helpers. */
import { base64url } from 'jose'

// Source: Moneyhub docs v2.5, "Completing A Connection" (client_assertion_type).
export const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
// Source: Moneyhub docs, payments: request object signing "one of the RS, ES or PS* algorithms"; the ones MONEYHUB-NOTES.md lists in discovery.
export const CLIENT_ALGS = ['RS256', 'PS256', 'ES256']
// Source: @mft/moneyhub-api-client src/requests/unauthenticated.ts (listConnections, listAPIConnections, listTestConnections): the groups id:all, id:api, id:test; id:legacy from MONEYHUB-NOTES.md.
export const GROUP_SELECTORS = new Set(['all', 'api', 'legacy', 'test'])
// Source: @mft/moneyhub-api-client src/get-auth-urls.ts get{Reauth,Reconsent,Refresh}AuthorizeUrlForCreatedUser.
export const ACTIONS = new Set(['reauth', 'reconsent', 'refresh'])
// Source: MONEYHUB-NOTES.md: the test bank "Moneyhub Open Banking Mock".
export const MOCK_BANK_ID = '1ffe704d39629a929c8e293880fb449a'
// Assumption (project): node-oidc-provider's default PAR lifetime (60 s).
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
