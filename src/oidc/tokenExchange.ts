/** The token request (OIDC Core §3.1.3.1, RFC 6749 §4.1.3) and its response (§3.1.3.3, RFC 6749 §5.1). */
import * as v from 'valibot'
import type { Config } from '../config'
import { int, looseObject } from '../util/valibot'
import { clientAuthentication } from './clientAssertion'
import { OidcError, UpstreamError } from './errors'
import { FORM, oauthErrorCode, readJsonObject, upstreamFetch } from './upstream'

const nonEmpty = () => v.pipe(v.string(), v.minLength(1))
const seconds = () => v.pipe(int(), v.gtValue(0))

const TokenResponseSchema = looseObject({
  access_token: nonEmpty(),
  // RFC 6749 §5.1 / §7.1: compared case-insensitively.
  token_type: v.pipe(
    v.string(),
    v.check((t) => t.toLowerCase() === 'bearer'),
  ),
  // Required at the code exchange (OIDC Core §3.1.3.3), optional after a refresh (§12.2): checked per grant below.
  id_token: v.optional(nonEmpty()),
  expires_in: seconds(),
  refresh_token: v.optional(nonEmpty()),
  scope: v.optional(v.string()),
  // Not in RFC 6749; some servers say how long the refresh token lives.
  refresh_expires_in: v.optional(seconds()),
  refresh_token_expires_in: v.optional(seconds()),
})

/** What is stored and handed to the app backend. */
export interface TokenSet {
  access_token: string
  id_token: string
  refresh_token?: string
  token_type: 'Bearer'
  scope: string
  /** Seconds since the epoch, computed from expires_in. */
  expires_at: number
}

/** A token response: the set, and the refresh token's lifetime when the server states it. */
export interface TokenResponse<T = TokenSet> {
  tokens: T
  refreshExpiresIn?: number
}

/** A refresh response may leave out the id_token (OIDC Core §12.2). */
export type RefreshedTokenSet = Omit<TokenSet, 'id_token'> & { id_token?: string }

export interface CodeExchange {
  code: string
  codeVerifier: string
  /** The scope that was asked for: the answer's scope when the server omits it (RFC 6749 §5.1). */
  requestedScope: string
  /** The Moneyhub user id, when known (Moneyhub's own addition to the token request). */
  sub?: string
}

export async function exchangeCode(config: Config, tokenEndpoint: string, exchange: CodeExchange): Promise<TokenResponse> {
  const form = new URLSearchParams({
    grant_type: 'authorization_code',
    code: exchange.code,
    redirect_uri: config.redirectUri,
    code_verifier: exchange.codeVerifier,
    ...(await clientAuthentication(config, tokenEndpoint)),
  })
  if (exchange.sub) form.set('sub', exchange.sub)
  const response = await requestTokens(config, tokenEndpoint, form, exchange.requestedScope)
  const { id_token } = response.tokens
  if (!id_token) throw new OidcError('token_response_invalid', 'the token response is missing or has invalid: id_token')
  return { ...response, tokens: { ...response.tokens, id_token } }
}

/**
 * RFC 6749 §6 (OIDC Core §12): a new token set for a refresh token, with a fresh client assertion. No `sub`: the
 * official client's refreshTokens is openid-client's `client.refresh(refreshToken)` (moneyhub/moneyhub-api-client,
 * src/tokens.ts); only its code exchange sends `sub` (src/exchange-code-for-token.ts).
 */
export async function refreshTokens(
  config: Config,
  tokenEndpoint: string,
  refreshToken: string,
  scope: string,
): Promise<TokenResponse<RefreshedTokenSet>> {
  const form = new URLSearchParams({
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    ...(await clientAuthentication(config, tokenEndpoint)),
  })
  return requestTokens(config, tokenEndpoint, form, scope)
}

export async function requestTokens(
  config: Config,
  tokenEndpoint: string,
  form: URLSearchParams,
  requestedScope: string,
): Promise<TokenResponse<RefreshedTokenSet>> {
  const requestedAt = Math.floor(Date.now() / 1000)
  const response = await upstreamFetch(
    tokenEndpoint,
    { method: 'POST', headers: FORM, body: form },
    config.upstreamTimeoutMs,
    'the token endpoint',
  )
  if (response.status >= 500) throw new UpstreamError('token_endpoint_unavailable', `the token endpoint answered ${response.status}`)
  const json = await readJsonObject(response, 'the token endpoint')
  if (!response.ok) {
    const code = oauthErrorCode(json)
    throw new TokenRequestRejected(code, `the token endpoint refused the request (${response.status}${code ? ` ${code}` : ''})`)
  }
  const parsed = v.safeParse(TokenResponseSchema, json)
  if (!parsed.success) {
    const fields = [...new Set(parsed.issues.map((i) => v.getDotPath(i) ?? ''))].join(', ')
    throw new OidcError('token_response_invalid', `the token response is missing or has invalid: ${fields}`)
  }
  const t = parsed.output
  const refreshExpiresIn = t.refresh_expires_in ?? t.refresh_token_expires_in
  return {
    tokens: {
      access_token: t.access_token,
      ...(t.id_token ? { id_token: t.id_token } : {}),
      ...(t.refresh_token ? { refresh_token: t.refresh_token } : {}),
      token_type: 'Bearer',
      scope: t.scope ?? requestedScope,
      expires_at: requestedAt + t.expires_in,
    },
    ...(refreshExpiresIn ? { refreshExpiresIn } : {}),
  }
}

/** RFC 6749 §5.2: the error codes a token endpoint answers a request it refuses with. */
const TOKEN_ENDPOINT_ERRORS: ReadonlySet<string> = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
])

/** The token endpoint said no (a 4xx); `oauthError` is its error code, e.g. invalid_grant, when it gave one. */
export class TokenRequestRejected extends OidcError {
  constructor(
    readonly oauthError: string | undefined,
    message: string,
  ) {
    super('token_request_rejected', message)
  }

  /**
   * The server refused the request (RFC 6749 §5.2), so it did nothing with the grant. A 4xx without one of §5.2's codes
   * (a gateway's timeout, `temporarily_unavailable`) says nothing of what was done.
   */
  get refused(): boolean {
    return this.oauthError !== undefined && TOKEN_ENDPOINT_ERRORS.has(this.oauthError)
  }
}
