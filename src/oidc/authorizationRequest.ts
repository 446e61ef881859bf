/**
 * The authorisation request (OIDC Core §3.1.2.1), delivered the safest way the
 * issuer offers: pushed (RFC 9126) when discovery lists a
 * pushed_authorization_request_endpoint, else as a signed request object
 * (RFC 9101). The front channel then carries nothing that can be tampered with.
 */
import { SignJWT } from 'jose'
import type { Config } from '../config'
import { randomToken, sha256 } from '../util/encoding'
import { clientAuthentication } from './clientAssertion'
import type { IssuerMetadata } from './discovery'
import { UpstreamError } from './errors'
import { FORM, oauthErrorCode, readJsonObject, upstreamFetch } from './upstream'

/** OIDC Core §5.5: the claims request, all under id_token. */
export type ClaimsRequest = { id_token: Record<string, { essential?: boolean; value?: unknown } | null> }

export interface AuthorizationRequest {
  scope: string
  state: string
  nonce: string
  codeVerifier: string
  claims: ClaimsRequest
}

/** RFC 7636 §4.2: S256 code challenge. */
export const codeChallenge = (codeVerifier: string) => sha256(codeVerifier)

/** Every parameter of the request, as Moneyhub's own client sends them. */
export async function authorizationParameters(config: Config, request: AuthorizationRequest) {
  return {
    response_type: config.responseType,
    // A URL fragment never reaches a Worker: the hybrid flow's answer comes as a form POST (OAuth 2.0 Form Post Response Mode).
    ...(config.responseType === 'code id_token' ? { response_mode: 'form_post' } : {}),
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    scope: request.scope,
    state: request.state,
    nonce: request.nonce,
    prompt: 'consent',
    claims: request.claims,
    code_challenge: await codeChallenge(request.codeVerifier),
    code_challenge_method: 'S256',
  }
}

/** How long a request object pushed at PAR lives: it is read once, at the push (openid-client's requestObject: 300 s). */
const PUSHED_REQUEST_OBJECT_LIFETIME_S = 300

/**
 * RFC 9126 §2: push the parameters; the answer's request_uri stands in for them. A client registered with a request
 * object signing algorithm pushes them only inside a signed request object (RFC 9126 §3; Moneyhub's "Pushed Authorisation
 * Requests" page: "If request object signing is turned on, you will have to send a signed request object to the PAR end point").
 */
export async function pushAuthorizationRequest(config: Config, endpoints: { par: string; token: string }, request: AuthorizationRequest) {
  const endpoint = endpoints.par
  const authentication = await clientAuthentication(config, endpoint, endpoints.token)
  const body =
    config.requestObjectSigningAlg === 'none'
      ? new URLSearchParams(plainParameters(await authorizationParameters(config, request)))
      : new URLSearchParams({ request: await signRequestObject(config, request, PUSHED_REQUEST_OBJECT_LIFETIME_S) })
  for (const [name, value] of Object.entries(authentication)) body.set(name, value)
  const response = await upstreamFetch(
    endpoint,
    { method: 'POST', headers: FORM, body },
    config.upstreamTimeoutMs,
    'the pushed authorization request endpoint',
  )
  const json = await readJsonObject(response, 'the pushed authorization request endpoint')
  // RFC 9126 §2.2: success is 201 with request_uri and expires_in.
  if (response.status !== 201) {
    const code = oauthErrorCode(json)
    throw new UpstreamError('par_rejected', `the pushed authorization request was refused (${response.status}${code ? ` ${code}` : ''})`)
  }
  if (typeof json.request_uri !== 'string' || typeof json.expires_in !== 'number') {
    throw new UpstreamError('upstream_invalid_response', 'the pushed authorization response lacks request_uri or expires_in')
  }
  return { requestUri: json.request_uri, expiresIn: json.expires_in }
}

/**
 * RFC 9101 §4: the parameters as a JWT signed by the client, iss the client, aud the issuer, short-lived; nbf and exp
 * as FAPI 1 Advanced §5.2.2 asks (exp at most 60 minutes after nbf).
 */
export async function signRequestObject(config: Config, request: AuthorizationRequest, lifetimeSeconds: number) {
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT(await authorizationParameters(config, request))
    .setProtectedHeader({ alg: config.signingKey.alg, kid: config.signingKey.kid, typ: 'oauth-authz-req+jwt' })
    .setIssuer(config.clientId)
    .setAudience(config.issuer)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + lifetimeSeconds)
    .setJti(randomToken(16))
    .sign(config.signingKey.key)
}

/** The parameters as form fields: claims as JSON text (OIDC Core §5.5). */
function plainParameters({ claims, ...params }: Awaited<ReturnType<typeof authorizationParameters>>) {
  return { ...params, claims: JSON.stringify(claims) }
}

/** The URL the user's browser goes to next. */
export async function buildAuthorizeUrl(config: Config, metadata: IssuerMetadata, request: AuthorizationRequest, lifetimeSeconds: number) {
  const url = new URL(metadata.authorization_endpoint)
  url.searchParams.set('client_id', config.clientId)
  if (metadata.pushed_authorization_request_endpoint) {
    const { requestUri } = await pushAuthorizationRequest(
      config,
      { par: metadata.pushed_authorization_request_endpoint, token: metadata.token_endpoint },
      request,
    )
    url.searchParams.set('request_uri', requestUri)
  } else {
    // RFC 9101 §5 and OIDC Core §6.1: response_type and scope are repeated outside the request object.
    url.searchParams.set('response_type', config.responseType)
    url.searchParams.set('scope', request.scope)
    url.searchParams.set('request', await signRequestObject(config, request, lifetimeSeconds))
  }
  return url.href
}
