/**
 * What Moneyhub's identity server expects in an authorisation request, as its
 * official Node client (moneyhub/moneyhub-api-client) builds it.
 */
import type { ClaimsRequest } from '../oidc/authorizationRequest'

/** Journeys on an existing connection; each allows only `openid` beside it in the scope. */
export const ACTIONS = ['reauth', 'reconsent', 'refresh'] as const
export type Action = (typeof ACTIONS)[number]

/** A bank id as Moneyhub writes them (32 hex digits for real banks); also matches selectors such as `test`. */
export const BANK_ID = /^[A-Za-z0-9_-]{1,64}$/

export interface ConnectionTarget {
  bankId?: string
  userId?: string
  connectionId?: string
  action?: Action
}

/** `openid` plus exactly one bank selector, or `openid <action>` for an existing connection. */
export function scopeFor(target: ConnectionTarget, defaultBankSelector: string): string {
  if (target.action) return `openid ${target.action}`
  return `openid ${target.bankId ? `id:${target.bankId}` : defaultBankSelector}`
}

/** The id_token claims: always `sub` and `mh:con_id`, with values for a known user and connection. */
export function claimsFor(target: ConnectionTarget): ClaimsRequest {
  return {
    id_token: {
      sub: { essential: true, ...(target.userId ? { value: target.userId } : {}) },
      'mh:con_id': { essential: true, ...(target.connectionId ? { value: target.connectionId } : {}) },
    },
  }
}
