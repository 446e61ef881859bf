/**
 * The client credentials grant (RFC 6749 §4.4) with private_key_jwt: a token
 * for the client itself (`user:create`, `payee:read`, `payment:read`, …), or,
 * with Moneyhub's `sub` form field, a data token for one registered user
 * (Moneyhub's "Client Credentials" page: "The sub query parameter is
 * required", https://docs.moneyhubenterprise.com/docs/client-credentials-token).
 */
import type { Config } from '../config'
import { clientAuthentication } from './clientAssertion'
import { issuerMetadataOf } from './discovery'
import { requestTokens } from './tokenExchange'

export interface ClientCredentialsRequest {
  /** Space-separated scopes. */
  scope: string
  /** A registered user's id: the token then reads that user's data. */
  sub?: string
}

/** A client-credentials access token: no id_token, no refresh token. */
export interface ClientToken {
  access_token: string
  token_type: 'Bearer'
  /** What the server granted (the request's scope when the answer omits it, RFC 6749 §5.1). */
  scope: string
  /** Seconds since the epoch, computed from expires_in. */
  expires_at: number
}

export async function requestClientToken(config: Config, tokenEndpoint: string, request: ClientCredentialsRequest): Promise<ClientToken> {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    scope: request.scope,
    ...(await clientAuthentication(config, tokenEndpoint)),
  })
  if (request.sub) form.set('sub', request.sub)
  const { tokens } = await requestTokens(config, tokenEndpoint, form, request.scope)
  return { access_token: tokens.access_token, token_type: tokens.token_type, scope: tokens.scope, expires_at: tokens.expires_at }
}

/** The one way this Worker gets a client-credentials token: the pinned discovery's token endpoint, then the grant. */
export async function grantClientToken(config: Config, request: ClientCredentialsRequest): Promise<ClientToken> {
  const { token_endpoint } = await issuerMetadataOf(config)
  return requestClientToken(config, token_endpoint, request)
}
