/**
 * Payees: the accounts payments go to, kept by Moneyhub for this client.
 * `POST {identity}/payees` (scope payee:create), with a client-credentials
 * token (moneyhub/moneyhub-api-client, src/requests/payees.ts addPayee: `ApiResponse<Payee>`, read by identityRecord
 * in either shape); the list is payments/lists.ts's.
 */
import * as v from 'valibot'
import type { Config } from '../config'
import { ApiError } from '../errors'
import { described, looseObject, named, strictObject } from '../util/valibot'
import { identityRecord } from '../oidc/identity'
import { upstreamFailure } from './errors'
import { Payee, userId } from './schemas'

/** POST /payees: a UK account, and optionally the app's own id for it and a Moneyhub user it belongs to. */
export const NewPayee = named(
  strictObject({
    ...Payee.entries,
    externalId: v.optional(
      described(
        v.pipe(
          v.string(),
          v.minLength(1),
          v.maxLength(64, 'must be at most 64 characters'),
          v.regex(/^[\x20-\x7e]*$/, 'must be printable ASCII'),
        ),
        OPENAPI_BUILD && "The app's own id for this payee",
      ),
    ),
    userId: v.optional(userId),
  }),
  OPENAPI_BUILD && 'NewPayee',
  OPENAPI_BUILD && 'A UK bank account to pay',
)
export type NewPayee = v.InferOutput<typeof NewPayee>

/** A payee as Moneyhub answers: its id and the account; other members pass through. */
export const StoredPayee = named(
  looseObject({
    id: v.string(),
    name: v.string(),
    sortCode: v.string(),
    accountNumber: v.string(),
    externalId: v.optional(v.string()),
    userId: v.optional(v.string()),
    createdAt: v.optional(v.string()),
  }),
  OPENAPI_BUILD && 'Payee',
  OPENAPI_BUILD && "A payee as Moneyhub keeps it (Moneyhub's other members pass through)",
)
export type StoredPayee = v.InferOutput<typeof StoredPayee>

function checked<T extends v.GenericSchema>(schema: T, data: unknown, what: string): v.InferOutput<T> {
  const parsed = v.safeParse(schema, data)
  if (!parsed.success) throw new ApiError('upstream_invalid_response', `Moneyhub answered ${what} in an unexpected shape`)
  return parsed.output
}

export async function createPayee(config: Config, payee: NewPayee): Promise<StoredPayee> {
  let data: unknown
  try {
    data = await identityRecord(config, { method: 'POST', path: '/payees', scope: 'payee:create', body: payee })
  } catch (error) {
    upstreamFailure(error, 'create the payee')
  }
  return checked(StoredPayee, data, 'the new payee')
}
