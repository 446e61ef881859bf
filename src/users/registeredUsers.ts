/**
 * Moneyhub's registered users (use case 2): the identity server's /users API,
 * called through the one identity-API caller (oidc/identity.ts: a
 * client-credentials token for the one scope each call needs, kept in the
 * isolate until shortly before it expires). Upstream answers become ApiErrors
 * with stable codes: 404 stays 404, a refused request is 400, the rest is the
 * identity server's failure (502), never a stack.
 */
import * as v from 'valibot'
import type { Config } from '../config'
import { ApiError, upstreamError } from '../errors'
import { looseObject } from '../util/valibot'
import { OidcError } from '../oidc/errors'
import { IdentityApiError, identityRecord, type IdentityRequest } from '../oidc/identity'

/** Moneyhub's user, as its identity server answers it; members beyond these are passed on as they are. */
const UserSchema = looseObject({ userId: v.pipe(v.string(), v.minLength(1)), clientUserId: v.optional(v.nullable(v.string())) })
export type RegisteredUser = v.InferOutput<typeof UserSchema>

const WHAT = 'the identity server /users API'

/**
 * A call to {identity}/users: 404 for a user → user_not_found; 400/409/422 (the request's content) →
 * 400 user_request_rejected; anything else → 502 identity_request_failed.
 */
async function callUsersApi(config: Config, request: IdentityRequest, userId?: string): Promise<unknown> {
  try {
    return await identityRecord(config, { ...request, path: `/users${request.path}` })
  } catch (error) {
    if (error instanceof IdentityApiError) {
      if (error.status === 404 && userId) throw new ApiError('user_not_found', `no registered user ${userId} at Moneyhub`)
      if ([400, 409, 422].includes(error.status))
        throw new ApiError('user_request_rejected', `${WHAT} refused the request (${error.status})`)
      throw new ApiError('identity_request_failed', `${WHAT} answered ${error.status}`)
    }
    if (error instanceof OidcError) throw upstreamError(error, error.message)
    throw error
  }
}

function readUser(data: unknown): RegisteredUser {
  const parsed = v.safeParse(UserSchema, data)
  if (!parsed.success) throw new ApiError('upstream_invalid_response', `${WHAT} answered a user without a userId`)
  return parsed.output
}

export async function createUser(config: Config, request: { clientUserId?: string }): Promise<RegisteredUser> {
  const body = request.clientUserId ? { clientUserId: request.clientUserId } : {}
  return readUser(await callUsersApi(config, { method: 'POST', path: '', scope: 'user:create', body }))
}

export async function getUser(config: Config, userId: string): Promise<RegisteredUser> {
  return readUser(await callUsersApi(config, { path: `/${encodeURIComponent(userId)}`, scope: 'user:read' }, userId))
}

export async function deleteUser(config: Config, userId: string): Promise<void> {
  await callUsersApi(config, { method: 'DELETE', path: `/${encodeURIComponent(userId)}`, scope: 'user:delete' }, userId)
}
