import * as z from 'zod/mini'
import { ACTIONS, BANK_ID, MAX_CONSENT_DAYS_AHEAD, MAX_TRANSACTION_MONTHS_BACK, PERMISSIONS_ACTIONS } from '../connection/moneyhub'

const quoted = (values: readonly unknown[], separator: string) =>
  values.map((v) => (typeof v === 'string' ? JSON.stringify(v) : String(v))).join(separator)
const typeOf = (v: unknown) =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'number' && !Number.isFinite(v) ? String(v) : typeof v
const units: Record<string, string> = { string: 'characters', array: 'items' }
const formats: Record<string, string> = { email: 'email address', url: 'URL', datetime: 'ISO datetime' }

// zod/mini: the same schemas at a fraction of the bundle and start-up cost. Zod's English messages (zod/v4/locales/en.js)
// for the issues these schemas can raise, without the locale's tables for the rest (1 KB gzipped; docs/performance.md).
z.config({
  localeError: (issue) => {
    switch (issue.code) {
      case 'invalid_type':
        return `Invalid input: expected ${issue.expected}, received ${typeOf(issue.input)}`
      case 'invalid_value':
        return issue.values.length === 1
          ? `Invalid input: expected ${quoted(issue.values, '')}`
          : `Invalid option: expected one of ${quoted(issue.values, '|')}`
      case 'too_big':
      case 'too_small': {
        const [word, bound] = issue.code === 'too_big' ? ['big', issue.maximum] : ['small', issue.minimum]
        const adj = issue.exact ? 'exactly ' : (issue.code === 'too_big' ? '<' : '>') + (issue.inclusive ? '=' : '')
        const unit = units[issue.origin]
        return `Too ${word}: expected ${issue.origin} to ${unit ? 'have' : 'be'} ${adj}${String(bound)}${unit ? ` ${unit}` : ''}`
      }
      case 'invalid_format':
        return issue.format === 'regex'
          ? `Invalid string: must match pattern ${issue.pattern}`
          : `Invalid ${formats[issue.format] ?? issue.format}`
      case 'unrecognized_keys':
        return `Unrecognized key${issue.keys.length > 1 ? 's' : ''}: ${quoted(issue.keys, ', ')}`
      default:
        return 'Invalid input'
    }
  },
})

/** A session id: 128 random bits, base64url. */
export const SessionIdParam = z.object({ id: z.string().check(z.regex(/^[A-Za-z0-9_-]{22}$/, 'not a session id')) })

export const bankId = z.string().check(z.regex(BANK_ID, 'must be a Moneyhub bank id (letters, digits, - and _)'))
/** Checked against ALLOWED_ORIGINS after parsing (http/urls.ts). */
export const returnTo = z.string().check(z.maxLength(2048))
/** Moneyhub user ids are 24 hex digits; accept any plain id. */
export const userId = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a Moneyhub user id'))
/** Moneyhub connection ids are `<bankId>:<id>`. */
export const connectionId = z
  .string()
  .check(z.regex(/^[A-Za-z0-9_-]{1,64}:[A-Za-z0-9_-]{1,64}$/, 'must be a Moneyhub connection id (<bankId>:<id>)'))
export const action = z.enum(ACTIONS)
/** Scope names; which ones are allowed, and together, is data/scopes.ts's to say (400 invalid_scope naming the scope). */
export const dataScopes = z
  .array(z.string().check(z.regex(/^[\x21-\x7e]{1,64}$/, 'must be a scope name, e.g. accounts:read')))
  .check(z.minLength(1), z.maxLength(32))

const DAY_MS = 86_400_000
/** "2027-01-31T00:00:00.123456789+01:00" is 35 characters; ISO 8601 puts no bound on fractional digits, so we do. */
const MAX_DATETIME_LENGTH = 35
const monthsBack = (months: number) => {
  const limit = new Date()
  limit.setUTCMonth(limit.getUTCMonth() - months)
  return limit.getTime()
}

/** Moneyhub's limits: consent at most 90 days ahead, transactions at most 72 months back. */
export const consent = z
  .strictObject({
    permissions: z.optional(
      z
        .array(z.string().check(z.regex(/^[A-Za-z]{1,64}$/, 'must be an Open Banking permission name')))
        .check(z.minLength(1), z.maxLength(32)),
    ),
    permissionsAction: z.optional(z.enum(PERMISSIONS_ACTIONS)),
    expirationDateTime: z.optional(
      z.iso.datetime({ offset: true }).check(
        z.maxLength(MAX_DATETIME_LENGTH),
        z.refine((v) => Date.parse(v) > Date.now(), 'must be in the future'),
        z.refine(
          (v) => Date.parse(v) <= Date.now() + MAX_CONSENT_DAYS_AHEAD * DAY_MS,
          `must be at most ${MAX_CONSENT_DAYS_AHEAD} days ahead`,
        ),
      ),
    ),
    transactionFromDateTime: z.optional(
      z.iso.datetime({ offset: true }).check(
        z.maxLength(MAX_DATETIME_LENGTH),
        z.refine((v) => Date.parse(v) < Date.now(), 'must be in the past'),
        z.refine(
          (v) => Date.parse(v) >= monthsBack(MAX_TRANSACTION_MONTHS_BACK),
          `must be at most ${MAX_TRANSACTION_MONTHS_BACK} months back`,
        ),
      ),
    ),
  })
  .check(z.refine((c) => !c.permissionsAction || Boolean(c.permissions), { message: 'permissionsAction needs permissions' }))
