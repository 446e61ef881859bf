/** The identity API's failures as the app sees them: a stable code and status (502, or 404 for a missing object), never a 500. */
import { ApiError, upstreamError } from '../errors'
import { OidcError } from '../oidc/errors'
import { IdentityApiError } from '../oidc/identity'

export function upstreamFailure(error: unknown, doing: string): never {
  if (error instanceof IdentityApiError) {
    throw new ApiError('identity_api_rejected', `Moneyhub refused to ${doing} (${error.status}${error.apiCode ? ` ${error.apiCode}` : ''})`)
  }
  if (error instanceof OidcError) throw upstreamError(error, `Moneyhub could not ${doing}: ${error.message}`)
  throw error
}
