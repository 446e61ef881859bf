/** What the mock's parts share: its constants, its error, and small helpers. */
import { base64url } from 'jose'

// Source: Moneyhub docs v2.5, "Completing A Connection" (client_assertion_type).
export const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
// Assumption (project): RS256, PS256 and ES256, one of each family. Moneyhub asks payment clients for a request_object_signing_alg "not none if using request objects" (https://docs.moneyhubenterprise.com/docs/single-immediate-payments).
export const CLIENT_ALGS = ['RS256', 'PS256', 'ES256']
// Source: moneyhub/moneyhub-api-client src/requests/unauthenticated.ts (listConnections, listAPIConnections, listTestConnections; 6.x adds listLegacyConnections): the groups all, api, test, legacy; scope "openid id:api" on https://docs.moneyhubenterprise.com/docs/ais-consents. Assumption (project): id:all, id:test and id:legacy select as id:api does.
export const GROUP_SELECTORS = new Set(['all', 'api', 'legacy', 'test'])
// Source: moneyhub/moneyhub-api-client src/get-auth-urls.ts get{Reauth,Reconsent,Refresh}AuthorizeUrlForCreatedUser.
export const ACTIONS = new Set(['reauth', 'reconsent', 'refresh'])
// Source: Moneyhub docs v2.5, "Connect An Account" (https://docs.moneyhubenterprise.com/v2.5/docs/connect-an-account): the test bank "Moneyhub Open Banking Mock", whose token set has scope id:1ffe704d39629a929c8e293880fb449a; moneyhub/moneyhub-api-client src/__tests__/sync.ts (OB_MOCK_ID).
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
