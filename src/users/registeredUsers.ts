/**
 * Moneyhub's registered users (use case 2): each call is a client-credentials
 * grant with a fresh client assertion for the one scope it needs, then the
 * identity server's /users API with that token. Upstream answers become
 * FlowErrors with stable codes: 404 stays 404, a refused request is 400, the rest is the identity
 * server's failure (502), never a stack.
 */
import * as z from 'zod/mini'
import type { Config } from '../config'
import { FlowError } from '../connection/errors'
import { clientCredentialsGrant } from '../data/tokens'
import { OidcError } from '../oidc/errors'
import { readJsonObject, upstreamFetch } from '../oidc/upstream'

/** Moneyhub's user, as its identity server answers it; members beyond these are passed on as they are. */
const UserSchema = z.looseObject({ userId: z.string().check(z.minLength(1)), clientUserId: z.optional(z.nullable(z.string())) })
export type RegisteredUser = z.infer<typeof UserSchema>

const WHAT = 'the identity server /users API'

async function callUsersApi(config: Config, scope: string, path: string, init: RequestInit = {}): Promise<Response> {
  const { access_token } = await clientCredentialsGrant(config, scope)
  const headers = new Headers(init.headers)
  headers.set('authorization', `Bearer ${access_token}`)
  headers.set('accept', 'application/json')
  try {
    return await upstreamFetch(`${config.identityUrl}/users${path}`, { ...init, headers }, config.upstreamTimeoutMs, WHAT)
  } catch (error) {
    if (error instanceof OidcError) throw new FlowError('upstream', error.code, error.message)
    throw error
  }
}

/** 404 for a user → user_not_found; 400/409/422 (the request's content) → 400 user_request_rejected; anything else → 502 identity_request_failed. */
function refuse(response: Response, userId?: string): never {
  void response.body?.cancel()
  if (response.status === 404 && userId)
    throw new FlowError('not_found', 'user_not_found', `no registered user ${userId ?? ''} at Moneyhub`.trim())
  if ([400, 409, 422].includes(response.status))
    throw new FlowError('invalid', 'user_request_rejected', `${WHAT} refused the request (${response.status})`)
  throw new FlowError('upstream', 'identity_request_failed', `${WHAT} answered ${response.status}`)
}

async function readUser(response: Response): Promise<RegisteredUser> {
  let json
  try {
    json = await readJsonObject(response, WHAT)
  } catch (error) {
    if (error instanceof OidcError) throw new FlowError('upstream', error.code, error.message)
    throw error
  }
  // Some deployments wrap the answer as { data: user }.
  const parsed = UserSchema.safeParse(typeof json.data === 'object' && json.data !== null ? json.data : json)
  if (!parsed.success) throw new FlowError('upstream', 'upstream_invalid_response', `${WHAT} answered a user without a userId`)
  return parsed.data
}

export async function createUser(config: Config, request: { clientUserId?: string }): Promise<RegisteredUser> {
  const response = await callUsersApi(config, 'user:create', '', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request.clientUserId ? { clientUserId: request.clientUserId } : {}),
  })
  if (!response.ok) refuse(response)
  return readUser(response)
}

export async function getUser(config: Config, userId: string): Promise<RegisteredUser> {
  const response = await callUsersApi(config, 'user:read', `/${encodeURIComponent(userId)}`)
  if (!response.ok) refuse(response, userId)
  return readUser(response)
}

export async function deleteUser(config: Config, userId: string): Promise<void> {
  const response = await callUsersApi(config, 'user:delete', `/${encodeURIComponent(userId)}`, { method: 'DELETE' })
  if (!response.ok) refuse(response, userId)
  await response.body?.cancel()
}
