/** Request fields every journey's schemas share (http/schemas.ts, payments/schemas.ts): here, so payments/ needs nothing of http/. */
import * as v from 'valibot'

/** Checked against ALLOWED_ORIGINS after parsing (util/urls.ts). */
export const returnTo = v.pipe(v.string(), v.maxLength(2048))
/** Moneyhub user ids are 24 hex digits; accept any plain id. */
export const userId = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a Moneyhub user id'))
