/** The checks Moneyhub's identity server makes of an authorisation request. */
import type { Client } from './keys'
import { ACTIONS, OAuthError } from './oauth'
import { checkPaymentClaims } from './payments'
import type { AuthParams } from './state'

/** The checks Moneyhub makes of an authorisation request, whichever way it arrives. */
export function checkAuthParams(client: Client, raw: Record<string, unknown>): AuthParams {
  const p = raw as Record<string, string | undefined>
  // Assumption (project): the request names the client that sent it (RFC 6749 §4.1.1).
  if (p.client_id !== client.clientId) throw new OAuthError('invalid_client', 'unknown client_id')
  // Assumption (project): redirect URIs as registered in Moneyhub's admin portal (README "Registering the client").
  if (!p.redirect_uri || !client.redirectUris.includes(p.redirect_uri))
    throw new OAuthError('invalid_redirect_uri', 'redirect_uri is not registered')
  // Source: moneyhub/moneyhub-api-client src/get-auth-urls.ts (response_type from the client's config); Moneyhub also offers code id_token (https://docs.moneyhubenterprise.com/docs/authentication).
  if (p.response_type !== 'code' && p.response_type !== 'code id_token')
    throw new OAuthError('unsupported_response_type', 'response_type must be code or code id_token')
  // Assumption (project): the mock answers the hybrid flow by form_post only (a fragment would never reach the client's server).
  if (p.response_type === 'code id_token' && p.response_mode !== 'form_post')
    throw new OAuthError('invalid_request', 'code id_token needs response_mode=form_post')
  const scopes = (p.scope ?? '').split(' ').filter(Boolean)
  // Source: moneyhub/moneyhub-api-client src/get-auth-urls.ts: every scope it builds carries openid; refusing one without it is the project's assumption.
  if (!scopes.includes('openid')) throw new OAuthError('invalid_scope', 'openid is required')
  const selectors = scopes.filter((s) => s.startsWith('id:'))
  const actions = scopes.filter((s) => ACTIONS.has(s))
  const claims = typeof raw.claims === 'string' ? safeJson(raw.claims) : raw.claims
  // Source: moneyhub/moneyhub-api-client src/get-auth-urls.ts: every claims request it builds is under id_token (OIDC Core §5.5).
  if (!claims || typeof claims !== 'object' || !('id_token' in claims))
    throw new OAuthError('invalid_request', 'claims must be a JSON object with id_token')
  const idTokenClaims = (claims as AuthParams['claims']).id_token
  // Source: moneyhub/moneyhub-api-client src/get-auth-urls.ts getAuthorizeUrl's default claims (sub and mh:con_id, essential); refusing their absence is the project's assumption.
  if (!idTokenClaims?.sub || !idTokenClaims['mh:con_id']) throw new OAuthError('invalid_request', 'claims must request sub and mh:con_id')
  // Source: moneyhub/moneyhub-api-client src/get-auth-urls.ts getReauthAuthorizeUrlForCreatedUser, getReconsentAuthorizeUrlForCreatedUser, getRefreshAuthorizeUrlForCreatedUser (scope "openid <action>", sub and mh:con_id with values).
  if (actions.length) {
    if (scopes.length !== 2) throw new OAuthError('invalid_scope', `${actions[0]} allows only openid beside it`)
    if (!idTokenClaims.sub.value || !idTokenClaims['mh:con_id'].value)
      throw new OAuthError('invalid_request', `${actions[0]} needs sub and mh:con_id values`)
    // Assumption (project): exactly one bank selector (two → invalid_scope).
  } else if (selectors.length !== 1) {
    throw new OAuthError('invalid_scope', 'exactly one bank selector (id:...) is required')
  }
  // Data scopes as Moneyhub checks them: …:write:all only with client credentials, at most one transactions read scope.
  // Source: moneyhub/moneyhub-api-client src/requests/transactions.ts addTransaction (transactions:write:all with a client-credentials token); refusing it here is the project's assumption.
  const writeAll = scopes.find((s) => s.endsWith(':write:all'))
  if (writeAll) throw new OAuthError('invalid_scope', `${writeAll} is for client credentials only`)
  // Assumption (project): at most one transactions:read scope.
  if (scopes.filter((s) => s.startsWith('transactions:read:')).length > 1)
    throw new OAuthError('invalid_scope', 'at most one transactions:read scope')
  checkMoneyhubClaims(idTokenClaims)
  // Source: payments.ts (its own citations).
  checkPaymentClaims(client.clientId, scopes, idTokenClaims)
  // Source: moneyhub/moneyhub-api-client src/get-auth-urls.ts (prompt: "consent" on every request); "our authorisation server will only accept a value of consent" (https://docs.moneyhubenterprise.com/docs/creating-an-authorisation-url).
  if (p.prompt !== 'consent') throw new OAuthError('invalid_request', 'prompt must be consent')
  // Source: moneyhub/moneyhub-api-client src/get-auth-urls.ts getPaymentAuthorizeUrl and friends refuse to build a request without state ("State is required").
  if (!p.state) throw new OAuthError('invalid_request', 'state is required')
  // Assumption (project): nonce required; moneyhub/moneyhub-api-client src/get-auth-urls.ts always sends one.
  if (!p.nonce) throw new OAuthError('invalid_request', 'nonce is required')
  // Assumption (project): PKCE S256 required (RFC 7636); moneyhub/moneyhub-api-client src/get-auth-urls.ts getPushedAuthorisationRequestUrl sends it when given a codeChallenge.
  if (p.code_challenge_method !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(p.code_challenge ?? '')) {
    throw new OAuthError('invalid_request', 'PKCE with S256 is required')
  }
  return { ...(raw as unknown as AuthParams), claims: claims as AuthParams['claims'] }
}

/** mh:consent, mh:sync and mh:account_verification, in the shapes Moneyhub's client sends and within its documented limits. */
function checkMoneyhubClaims(claims: AuthParams['claims']['id_token']) {
  const DAY = 86_400_000
  const consent = claims['mh:consent']
  if (consent) {
    const value = consent.value as Record<string, unknown> | undefined
    // Source: moneyhub/moneyhub-api-client src/get-auth-urls.ts: getAuthorizeUrl builds mh:consent as {essential: true, value};
    // getReconsentAuthorizeUrlForCreatedUser as {value} alone. Either is taken; a value is needed.
    if (!value || typeof value !== 'object') throw new OAuthError('invalid_request', 'mh:consent needs a value')
    const { permissions, permissionsAction, expirationDateTime, transactionFromDateTime, ...rest } = value
    // Source: moneyhub/moneyhub-api-client src/get-auth-urls.ts getAuthorizeUrl (permissions, expirationDateTime, transactionFromDateTime; 6.x adds permissionsAction).
    if (Object.keys(rest).length) throw new OAuthError('invalid_request', `mh:consent has unknown members: ${Object.keys(rest).join(', ')}`)
    if (permissions !== undefined && (!Array.isArray(permissions) || !permissions.every((x) => typeof x === 'string'))) {
      throw new OAuthError('invalid_request', 'mh:consent permissions must be an array of strings')
    }
    // Source: moneyhub/moneyhub-api-client src/requests/types/auth-requests.ts (6.x): PermissionsAction = "add" | "replace".
    if (permissionsAction !== undefined && permissionsAction !== 'add' && permissionsAction !== 'replace') {
      throw new OAuthError('invalid_request', 'mh:consent permissionsAction must be add or replace')
    }
    if (expirationDateTime !== undefined) {
      const t = Date.parse(String(expirationDateTime))
      // Source: expirationDateTime "maximum 90 days in the future" (https://docs.moneyhubenterprise.com/docs/ais-consents).
      if (!(t > Date.now() && t <= Date.now() + 90 * DAY))
        throw new OAuthError('invalid_request', 'mh:consent expirationDateTime must be within 90 days ahead')
    }
    if (transactionFromDateTime !== undefined) {
      const t = Date.parse(String(transactionFromDateTime))
      const limit = new Date()
      limit.setUTCMonth(limit.getUTCMonth() - 72)
      // Source: transactionFromDateTime at the earliest "72 months in the past" (https://docs.moneyhubenterprise.com/docs/ais-consents).
      if (!(t < Date.now() && t >= limit.getTime()))
        throw new OAuthError('invalid_request', 'mh:consent transactionFromDateTime must be within 72 months back')
    }
  }
  const sync = claims['mh:sync']
  // Source: moneyhub/moneyhub-api-client src/get-auth-urls.ts getAuthorizeUrl (enableAsync → mh:sync {essential: true, value: {enableAsync: true}}).
  if (sync && JSON.stringify(sync) !== JSON.stringify({ essential: true, value: { enableAsync: true } })) {
    throw new OAuthError('invalid_request', 'mh:sync must be {essential: true, value: {enableAsync: true}}')
  }
  const catType = claims['mh:cat_type']
  // Assumption (project): mh:cat_type personal or business; Moneyhub's claims page names a "Category type to be applied to transactions" (https://docs.moneyhubenterprise.com/docs/claims).
  if (catType && !(catType.essential && (catType.value === 'personal' || catType.value === 'business'))) {
    throw new OAuthError('invalid_request', 'mh:cat_type must be {essential: true, value: "personal" | "business"}')
  }
  const verification = claims['mh:account_verification']
  // Source: moneyhub/moneyhub-api-client src/get-auth-urls.ts (6.x, accVerification): {essential: true, value: {accVerification: true}}.
  if (verification && JSON.stringify(verification) !== JSON.stringify({ essential: true, value: { accVerification: true } })) {
    throw new OAuthError('invalid_request', 'mh:account_verification must be {essential: true, value: {accVerification: true}}')
  }
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value)
  } catch {
    return undefined
  }
}
