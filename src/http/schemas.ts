import * as v from 'valibot'
import { ACTIONS, BANK_ID, MAX_CONSENT_DAYS_AHEAD, MAX_TRANSACTION_MONTHS_BACK, PERMISSIONS_ACTIONS } from '../session/moneyhub'
import { isoDateTime, object, picklist, refine, refined, strictObject } from '../util/valibot'

/** A session id: 128 random bits, base64url. */
export const SessionIdParam = object({ id: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{22}$/, 'not a session id')) })

export const bankId = v.pipe(v.string(), v.regex(BANK_ID, 'must be a Moneyhub bank id (letters, digits, - and _)'))
export { returnTo, userId } from '../util/fields'
/** Moneyhub connection ids are `<bankId>:<id>`. */
export const connectionId = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z0-9_-]{1,64}:[A-Za-z0-9_-]{1,64}$/, 'must be a Moneyhub connection id (<bankId>:<id>)'),
)
export const action = picklist(ACTIONS)
/** Scope names; which ones are allowed, and together, is data/scopes.ts's to say (400 invalid_scope naming the scope). */
export const dataScopes = v.pipe(
  v.array(v.pipe(v.string(), v.regex(/^[\x21-\x7e]{1,64}$/, 'must be a scope name, e.g. accounts:read'))),
  v.minLength(1),
  v.maxLength(32),
)

const DAY_MS = 86_400_000
/** "2027-01-31T00:00:00.123456789+01:00" is 35 characters; ISO 8601 puts no bound on fractional digits, so we do. */
const MAX_DATETIME_LENGTH = 35
const monthsBack = (months: number) => {
  const limit = new Date()
  limit.setUTCMonth(limit.getUTCMonth() - months)
  return limit.getTime()
}

/** Moneyhub's limits: consent at most 90 days ahead, transactions at most 72 months back. */
export const consent = refined(
  strictObject({
    permissions: v.optional(
      v.pipe(
        v.array(v.pipe(v.string(), v.regex(/^[A-Za-z]{1,64}$/, 'must be an Open Banking permission name'))),
        v.minLength(1),
        v.maxLength(32),
      ),
    ),
    permissionsAction: v.optional(picklist(PERMISSIONS_ACTIONS)),
    expirationDateTime: v.optional(
      v.pipe(
        v.string(),
        isoDateTime(),
        v.maxLength(MAX_DATETIME_LENGTH),
        v.check((value) => Date.parse(value) > Date.now(), 'must be in the future'),
        v.check(
          (value) => Date.parse(value) <= Date.now() + MAX_CONSENT_DAYS_AHEAD * DAY_MS,
          `must be at most ${MAX_CONSENT_DAYS_AHEAD} days ahead`,
        ),
      ),
    ),
    transactionFromDateTime: v.optional(
      v.pipe(
        v.string(),
        isoDateTime(),
        v.maxLength(MAX_DATETIME_LENGTH),
        v.check((value) => Date.parse(value) < Date.now(), 'must be in the past'),
        v.check(
          (value) => Date.parse(value) >= monthsBack(MAX_TRANSACTION_MONTHS_BACK),
          `must be at most ${MAX_TRANSACTION_MONTHS_BACK} months back`,
        ),
      ),
    ),
  }),
  refine<{ permissions?: string[]; permissionsAction?: string }>(
    (c) => !c.permissionsAction || Boolean(c.permissions),
    'permissionsAction needs permissions',
  ),
)
