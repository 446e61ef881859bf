/**
 * What Moneyhub's identity server expects in an authorisation request, as its
 * official Node client (moneyhub/moneyhub-api-client, getAuthorizeUrl) builds it.
 */
import type { ClaimsRequest } from '../oidc/authorizationRequest'

/** Journeys on an existing connection; each allows only `openid` beside it in the scope. */
export const ACTIONS = ['reauth', 'reconsent', 'refresh'] as const
export type Action = (typeof ACTIONS)[number]

export const PERMISSIONS_ACTIONS = ['add', 'replace'] as const

/** A bank id as Moneyhub writes them (32 hex digits for real banks); also matches selectors such as `test`. */
export const BANK_ID = /^[A-Za-z0-9_-]{1,64}$/

/** Moneyhub's documented limits on the consent it asks the bank for. */
export const MAX_CONSENT_DAYS_AHEAD = 90
export const MAX_TRANSACTION_MONTHS_BACK = 72

export interface Consent {
  /** Open Banking permission names, e.g. ReadAccountsDetail. */
  permissions?: string[]
  permissionsAction?: (typeof PERMISSIONS_ACTIONS)[number]
  /** ISO 8601; at most 90 days ahead. */
  expirationDateTime?: string
  /** ISO 8601; at most 72 months back. */
  transactionFromDateTime?: string
}

export interface ConnectionTarget {
  bankId?: string
  userId?: string
  connectionId?: string
  action?: Action
  /** Ask for a refresh token (scope offline_access, OIDC Core §11). */
  offlineAccess?: boolean
  consent?: Consent
  /** Moneyhub's asynchronous first sync (`mh:sync`). */
  enableAsync?: boolean
  /** Account verification (`mh:account_verification`). */
  accountVerification?: boolean
  /** Data scopes (`accounts:read`, `transactions:read:all`, …), already checked by data/scopes.ts. */
  dataScopes?: string[]
  /** The category type of the connection's transactions (`mh:cat_type`). */
  categoryType?: (typeof CATEGORY_TYPES)[number]
}

export const CATEGORY_TYPES = ['personal', 'business'] as const

/** `openid` plus exactly one bank selector, or `openid <action>` for an existing connection; plus offline_access when asked, then the data scopes. */
export function scopeFor(target: ConnectionTarget, defaultBankSelector: string): string {
  const journey = target.action ?? (target.bankId ? `id:${target.bankId}` : defaultBankSelector)
  return ['openid', journey, ...(target.offlineAccess ? ['offline_access'] : []), ...(target.dataScopes ?? [])].join(' ')
}

/** The id_token claims: always `sub` and `mh:con_id` (with values for a known user and connection), then the options. */
export function claimsFor(target: ConnectionTarget): ClaimsRequest {
  const claims: ClaimsRequest['id_token'] = {
    sub: { essential: true, ...(target.userId ? { value: target.userId } : {}) },
    'mh:con_id': { essential: true, ...(target.connectionId ? { value: target.connectionId } : {}) },
  }
  const consent = target.consent
  if (consent && Object.keys(consent).length) {
    claims['mh:consent'] = {
      // A reconsent's mh:consent is not essential: getReconsentAuthorizeUrlForCreatedUser sends `{value}` alone, where
      // getAuthorizeUrl sends `essential: true` (moneyhub/moneyhub-api-client, src/get-auth-urls.ts).
      ...(target.action === 'reconsent' ? {} : { essential: true }),
      value: {
        ...(consent.permissions ? { permissions: consent.permissions, permissionsAction: consent.permissionsAction ?? 'add' } : {}),
        ...(consent.expirationDateTime ? { expirationDateTime: consent.expirationDateTime } : {}),
        ...(consent.transactionFromDateTime ? { transactionFromDateTime: consent.transactionFromDateTime } : {}),
      },
    }
  }
  if (target.enableAsync) claims['mh:sync'] = { essential: true, value: { enableAsync: true } }
  if (target.accountVerification) claims['mh:account_verification'] = { essential: true, value: { accVerification: true } }
  if (target.categoryType) claims['mh:cat_type'] = { essential: true, value: target.categoryType }
  return { id_token: claims }
}
