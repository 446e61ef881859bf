/**
 * What makes one kind of session differ from another: the scope and claims its
 * authorisation request asks for, and what it reads from the id_token. The
 * session machine (start.ts, coordinator.ts, complete.ts: create, launch,
 * callback, status, webhook, single-use) knows nothing else of a kind, so a
 * payment or a standing order is a new SessionKind, not a copy of the flow.
 */
import type { ClaimsRequest } from '../oidc/authorizationRequest'
import { OidcError } from '../oidc/errors'
import type { IdTokenClaims } from '../oidc/idToken'
import type { StoredSession } from '../storage/sessions'
import { claimsFor, scopeFor, type ConnectionTarget } from './moneyhub'

/** What a completed session keeps from its id_token. */
export interface Found {
  userId: string
  connectionId?: string
}

export interface SessionKind<Target> {
  scope(target: Target, defaultBankSelector: string): string
  claims(target: Target): ClaimsRequest
  /** Reads the validated id_token; an OidcError when it contradicts what was asked for. */
  found(claims: IdTokenClaims, asked: Pick<StoredSession, 'userId' | 'connectionId'>): Found
}

/** Connecting a bank account (Moneyhub's data connections). */
export const connectionKind: SessionKind<ConnectionTarget> = {
  scope: scopeFor,
  claims: claimsFor,
  found(claims, asked) {
    // The claims request asked for these values (OIDC Core §5.5.1): a different answer is a different user or connection.
    if (asked.userId && claims.sub !== asked.userId)
      throw new OidcError('id_token_sub_mismatch', 'the id_token is for another user than the one asked for')
    if (asked.connectionId && claims['mh:con_id'] !== asked.connectionId) {
      throw new OidcError('id_token_con_id_mismatch', 'the id_token is for another connection than the one asked for')
    }
    return { userId: claims.sub, ...(claims['mh:con_id'] ? { connectionId: claims['mh:con_id'] } : {}) }
  },
}

/** The kind of a stored session: one kind today. */
export const kindOf = (_record: StoredSession): SessionKind<never> => connectionKind as SessionKind<never>
