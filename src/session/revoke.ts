/** Ending a session: revoke its tokens at the issuer (RFC 7009) when it offers revocation, then forget it. */
import type { Config } from '../config'
import { issuerMetadataOf } from '../oidc/discovery'
import { OidcError } from '../oidc/errors'
import { revokeToken } from '../oidc/revocation'
import type { SessionStore } from '../storage/sessions'
import type { StoredSession } from '../storage/sessionRecord'
import { ApiError } from '../errors'

export interface Deleted {
  /** True when every token was revoked upstream, or there was nothing to revoke. */
  revoked: boolean
  /** Why revocation did not happen, when it did not. */
  error?: string
}

export async function deleteSession(config: Config, store: SessionStore, record: StoredSession | undefined): Promise<Deleted> {
  if (!record) throw new ApiError('session_not_found', 'no session has this id (it may have expired)')
  let result: Deleted = { revoked: true }
  const connection = await store.readConnection(record)
  if (connection) {
    try {
      const metadata = await issuerMetadataOf(config)
      if (!metadata.revocation_endpoint) {
        result = { revoked: false, error: 'revocation_not_supported' }
      } else {
        const endpoints = { revocation: metadata.revocation_endpoint, token: metadata.token_endpoint }
        // The refresh token first: revoking it ends the grant (RFC 7009 §2.1).
        if (connection.tokens.refresh_token) await revokeToken(config, endpoints, connection.tokens.refresh_token, 'refresh_token')
        await revokeToken(config, endpoints, connection.tokens.access_token, 'access_token')
      }
    } catch (error) {
      if (!(error instanceof OidcError)) throw error
      result = { revoked: false, error: error.code }
    }
  }
  // Deleted locally whatever happened upstream: the app asked for this session to be gone.
  await store.delete(record.id)
  return result
}
