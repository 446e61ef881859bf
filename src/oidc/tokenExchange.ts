/** The token request (OIDC Core §3.1.3.1, RFC 6749 §4.1.3) and its response (§3.1.3.3, RFC 6749 §5.1). */
import { z } from 'zod'
import type { Config } from '../config'
import { clientAuthentication } from './clientAssertion'
import { OidcError, UpstreamError } from './errors'
import { FORM, oauthErrorCode, readJsonObject, upstreamFetch } from './upstream'

const TokenResponseSchema = z
  .object({
    access_token: z.string().min(1),
    // RFC 6749 §5.1 / §7.1: compared case-insensitively.
    token_type: z.string().refine((t) => t.toLowerCase() === 'bearer'),
    id_token: z.string().min(1),
    expires_in: z.number().int().positive(),
    refresh_token: z.string().min(1).optional(),
    scope: z.string().optional(),
  })
  .loose()

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

export interface CodeExchange {
  code: string
  codeVerifier: string
  /** The scope that was asked for: the answer's scope when the server omits it (RFC 6749 §5.1). */
  requestedScope: string
  /** The Moneyhub user id, when known (Moneyhub's own addition to the token request). */
  sub?: string
}

export async function exchangeCode(config: Config, tokenEndpoint: string, exchange: CodeExchange): Promise<TokenSet> {
  const form = new URLSearchParams({
    grant_type: 'authorization_code',
    code: exchange.code,
    redirect_uri: config.redirectUri,
    code_verifier: exchange.codeVerifier,
    ...(await clientAuthentication(config, tokenEndpoint)),
  })
  if (exchange.sub) form.set('sub', exchange.sub)
  return requestTokens(config, tokenEndpoint, form, exchange.requestedScope)
}

export async function requestTokens(config: Config, tokenEndpoint: string, form: URLSearchParams, requestedScope: string): Promise<TokenSet> {
  const requestedAt = Math.floor(Date.now() / 1000)
  const response = await upstreamFetch(tokenEndpoint, { method: 'POST', headers: FORM, body: form }, config.upstreamTimeoutMs, 'the token endpoint')
  if (response.status >= 500) throw new UpstreamError('token_endpoint_unavailable', `the token endpoint answered ${response.status}`)
  const json = await readJsonObject(response, 'the token endpoint')
  if (!response.ok) {
    const code = oauthErrorCode(json)
    throw new OidcError('token_request_rejected', `the token endpoint refused the request (${response.status}${code ? ` ${code}` : ''})`)
  }
  const parsed = TokenResponseSchema.safeParse(json)
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.')))].join(', ')
    throw new OidcError('token_response_invalid', `the token response is missing or has invalid: ${fields}`)
  }
  const t = parsed.data
  return {
    access_token: t.access_token,
    id_token: t.id_token,
    ...(t.refresh_token ? { refresh_token: t.refresh_token } : {}),
    token_type: 'Bearer',
    scope: t.scope ?? requestedScope,
    expires_at: requestedAt + t.expires_in,
  }
}
