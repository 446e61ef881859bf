import { z } from 'zod'
import { ACTIONS, BANK_ID } from '../connection/moneyhub'

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
