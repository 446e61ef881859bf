import { z } from 'zod'
import { ACTIONS, BANK_ID, MAX_CONSENT_DAYS_AHEAD, MAX_TRANSACTION_MONTHS_BACK, PERMISSIONS_ACTIONS } from '../connection/moneyhub'

/** A session id: 128 random bits, base64url. */
export const SessionIdParam = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'not a session id') })

export const bankId = z.string().regex(BANK_ID, 'must be a Moneyhub bank id (letters, digits, - and _)')
/** Checked against ALLOWED_ORIGINS after parsing (http/urls.ts). */
export const returnTo = z.string().max(2048)
/** Moneyhub user ids are 24 hex digits; accept any plain id. */
export const userId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a Moneyhub user id')
/** Moneyhub connection ids are `<bankId>:<id>`. */
export const connectionId = z.string().regex(/^[A-Za-z0-9_-]{1,64}:[A-Za-z0-9_-]{1,64}$/, 'must be a Moneyhub connection id (<bankId>:<id>)')
export const action = z.enum(ACTIONS)

const DAY_MS = 86_400_000
const isoDateTime = z.iso.datetime({ offset: true })

/** Moneyhub's limits: consent at most 90 days ahead, transactions at most 72 months back. */
export const consent = z
  .object({
    permissions: z.array(z.string().regex(/^[A-Za-z]{1,64}$/, 'must be an Open Banking permission name')).min(1).max(32).optional(),
    permissionsAction: z.enum(PERMISSIONS_ACTIONS).optional(),
    expirationDateTime: isoDateTime
      .refine((v) => Date.parse(v) > Date.now(), 'must be in the future')
      .refine((v) => Date.parse(v) <= Date.now() + MAX_CONSENT_DAYS_AHEAD * DAY_MS, `must be at most ${MAX_CONSENT_DAYS_AHEAD} days ahead`)
      .optional(),
    transactionFromDateTime: isoDateTime
      .refine((v) => Date.parse(v) < Date.now(), 'must be in the past')
      .refine((v) => {
        const limit = new Date()
        limit.setUTCMonth(limit.getUTCMonth() - MAX_TRANSACTION_MONTHS_BACK)
        return Date.parse(v) >= limit.getTime()
      }, `must be at most ${MAX_TRANSACTION_MONTHS_BACK} months back`)
      .optional(),
  })
  .strict()
  .refine((c) => !c.permissionsAction || c.permissions, { message: 'permissionsAction needs permissions' })
