/**
 * Payees: the accounts payments go to, kept by Moneyhub for this client.
 * `POST {identity}/payees` (scope payee:create), with a client-credentials
 * token (MONEYHUB-NOTES.md, "Payments"); the list is payments/lists.ts's.
 */
import * as z from 'zod/mini'
import type { Config } from '../config'
import { FlowError } from '../connection/errors'
import { identityRequest } from '../oidc/identity'
import { upstreamFailure } from './errors'
import { Payee, userId } from './schemas'

/** POST /payees: a UK account, and optionally the app's own id for it and a Moneyhub user it belongs to. */
export const NewPayee = z.extend(Payee, {
  externalId: z.optional(
    z
      .string()
      .check(z.minLength(1), z.maxLength(64, 'must be at most 64 characters'), z.regex(/^[\x20-\x7e]*$/, 'must be printable ASCII'))
      .register(z.globalRegistry, { description: "The app's own id for this payee" }),
  ),
  userId: z.optional(userId),
})
export type NewPayee = z.infer<typeof NewPayee>

/** A payee as Moneyhub answers: its id and the account; other members pass through. */
export const StoredPayee = z.looseObject({
  id: z.string(),
  name: z.string(),
  sortCode: z.string(),
  accountNumber: z.string(),
  externalId: z.optional(z.string()),
  userId: z.optional(z.string()),
  createdAt: z.optional(z.string()),
})
export type StoredPayee = z.infer<typeof StoredPayee>

function checked<T extends z.ZodMiniType>(schema: T, data: unknown, what: string): z.infer<T> {
  const parsed = schema.safeParse(data)
  if (!parsed.success) throw new FlowError('upstream', 'upstream_invalid_response', `Moneyhub answered ${what} in an unexpected shape`)
  return parsed.data
}

export async function createPayee(config: Config, payee: NewPayee): Promise<StoredPayee> {
  let data: unknown
  try {
    data = await identityRequest(config, { method: 'POST', path: '/payees', scope: 'payee:create', body: payee })
  } catch (error) {
    upstreamFailure(error, 'create the payee')
  }
  return checked(StoredPayee, data, 'the new payee')
}
