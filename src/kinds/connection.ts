/**
 * Connecting a bank account (Moneyhub's data connections): session/moneyhub.ts
 * builds its scope and claims, as the official client's getAuthorizeUrl does
 * (`moneyhub/moneyhub-api-client` src/get-auth-urls.ts). It pays nothing: it
 * ends `connected` with a token set, and its record names no kind.
 */
import { OidcError } from '../oidc/errors'
import { claimsFor, scopeFor, type ConnectionTarget } from '../session/moneyhub'
import { optionalCreatedId, type SessionKind } from './kind'

/** What a completed connection keeps from its id_token. */
export interface ConnectionOutcome {
  /** The id_token's sub: Moneyhub's user id. */
  userId: string
  /** The id_token's mh:con_id. */
  connectionId?: string
}

export const connectionKind: SessionKind<ConnectionTarget, ConnectionOutcome, 'connection'> = {
  name: 'connection',
  pays: false,
  scope: (target, defaults) => scopeFor(target, defaults.defaultBankSelector),
  claims: claimsFor,
  outcomeFromIdToken(claims, asked = {}) {
    // The claims request asked for these values (OIDC Core §5.5.1): a different answer is a different user or connection.
    if (asked.userId && claims.sub !== asked.userId)
      throw new OidcError('id_token_sub_mismatch', 'the id_token is for another user than the one asked for')
    const connectionId = optionalCreatedId(claims, 'mh:con_id')
    if (asked.connectionId && connectionId !== asked.connectionId) {
      throw new OidcError('id_token_con_id_mismatch', 'the id_token is for another connection than the one asked for')
    }
    return { userId: claims.sub, ...(connectionId ? { connectionId } : {}) }
  },
}
