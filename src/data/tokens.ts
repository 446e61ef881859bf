/**
 * Data tokens for the app backend (POST /tokens): a client-credentials grant
 * (RFC 6749 §4.4) with a fresh client assertion, with `sub=<userId>` for a
 * registered user's data scopes (use case 2), or without a user for
 * client-level scopes. Answers come from DataTokenCache while they have time left.
 */
import type { Config } from '../config'
import { ApiError, upstreamError } from '../errors'
import { grantClientToken, type ClientToken } from '../oidc/clientCredentials'
import { OidcError } from '../oidc/errors'
import { TokenRequestRejected } from '../oidc/tokenExchange'
import { dataTokenKey, type DataTokenCache, type Source } from '../storage/dataTokens'
import { checkScopesForIssuer } from './scopes'

export interface DataTokenRequest {
  scopes: string[]
  /** A registered user (POST /users): the token reads that user's data. */
  userId?: string
}

/** A client-credentials grant; the identity server's refusals and failures as ApiErrors. */
export async function clientCredentialsGrant(config: Config, scope: string, sub?: string): Promise<ClientToken> {
  try {
    return await grantClientToken(config, { scope, ...(sub ? { sub } : {}) })
  } catch (error) {
    if (error instanceof TokenRequestRejected) {
      // invalid_scope / invalid_request here means the caller asked for something this user or client may not have.
      const callers = error.oauthError === 'invalid_scope' || error.oauthError === 'invalid_request'
      throw new ApiError(callers ? 'token_request_rejected' : 'token_request_failed', error.message, { cause: error })
    }
    if (error instanceof OidcError) throw upstreamError(error, `the identity server failed: ${error.message}`)
    throw error
  }
}

export async function dataToken(
  config: Config,
  cache: DataTokenCache,
  request: DataTokenRequest,
): Promise<{ token: ClientToken; source: Source }> {
  const scopes = await checkScopesForIssuer(config, request.scopes, request.userId ? 'user_token' : 'client_token')
  const scope = scopes.join(' ')
  const key = await dataTokenKey(config, scope, request.userId)
  return cache.getOrGrant(key, () => clientCredentialsGrant(config, scope, request.userId))
}
