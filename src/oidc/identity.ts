/**
 * Moneyhub's own APIs on the identity server (payees, payments, users), called
 * with a client-credentials bearer token (RFC 6750 §2.1). They live at the
 * identity server's base, `{identity}` in Moneyhub's documentation:
 * config.identityUrl (MONEYHUB_IDENTITY_URL, else the issuer without `/oidc`). Answers are JSON
 * `{ data, links?, meta? }`, a single record included, or a bare record (the /users API's user): identityRecord reads
 * either (recordOf); errors `{ code, message }`.
 * This is the one caller of those APIs (payees, payments, registered users).
 */
import type { Config } from '../config'
import { grantClientToken, type ClientToken } from './clientCredentials'
import { UpstreamError } from './errors'
import { readJsonObject, upstreamFetch } from './upstream'

/** The identity API answered with an error: its HTTP status and Moneyhub's error code, when it gave one. */
export class IdentityApiError extends UpstreamError {
  constructor(
    readonly status: number,
    readonly apiCode: string | undefined,
    message: string,
    /** Moneyhub's own words for the refusal (its `message`), printable and short: safe to pass on. */
    readonly reason?: string,
  ) {
    super('identity_api_error', message)
    this.name = 'IdentityApiError'
  }
}

/** A token is used until this many seconds before it expires. */
const EXPIRY_MARGIN_S = 30
const tokens = new Map<string, Promise<ClientToken>>()

/** For tests: forget the client tokens this isolate holds. */
export const forgetClientTokens = () => tokens.clear()

/**
 * A client-credentials token for `scope`, kept in this isolate until shortly
 * before it expires: one grant serves many API calls. Never written to KV.
 * A failed grant is not kept.
 */
export function clientTokenFor(config: Config, scope: string): Promise<ClientToken> {
  const key = `${config.issuer} ${config.clientId} ${scope}`
  const now = Math.floor(Date.now() / 1000)
  const held = tokens.get(key)
  if (held) {
    // A held grant that failed or is about to expire gives way to a new one.
    return held.then(
      (token) => (token.expires_at - EXPIRY_MARGIN_S > now ? token : grant()),
      () => grant(),
    )
  }
  return grant()

  function grant() {
    const pending = grantClientToken(config, { scope })
    tokens.set(key, pending)
    pending.catch(() => {
      if (tokens.get(key) === pending) tokens.delete(key)
    })
    return pending
  }
}

export interface IdentityRequest {
  method?: 'GET' | 'POST' | 'DELETE'
  /** Under the identity base, e.g. `/payments/<id>`. */
  path: string
  /** The client-credentials scope the call needs, e.g. `payment:read`. */
  scope: string
  query?: Record<string, string | number | boolean | undefined>
  body?: unknown
}

/** Calls the identity API and returns its answer's `data`; IdentityApiError for an error answer. */
export async function identityRequest(config: Config, request: IdentityRequest): Promise<unknown> {
  const json = await identityAnswer(config, request)
  // Moneyhub wraps answers as { data }; some deployments of the /users API answer the object bare.
  return json && 'data' in json ? json.data : json
}

/** Members of the official client's `ApiResponse<T>` (moneyhub/moneyhub-api-client, src/request.ts). */
const API_RESPONSE_MEMBERS = new Set(['data', 'links', 'meta'])

/**
 * One Moneyhub record from an answer, in either shape the official client declares: `ApiResponse<T>` = `{data,
 * links?, meta?}` (src/request.ts; getPayment, addPayee, getPayee, getStandingOrder: src/requests/types/*.ts) or a
 * bare `T` (registerUser, getUser: src/requests/types/users-and-connections.ts). An answer is the wrapper when it
 * has `data` and no member beyond the wrapper's; anything else is the record itself. The caller's schema judges what
 * comes out (a `data` list is no record: upstream_invalid_response).
 */
export function recordOf(answer: unknown): unknown {
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer) || !('data' in answer)) return answer
  return Object.keys(answer).every((member) => API_RESPONSE_MEMBERS.has(member)) ? (answer as { data: unknown }).data : answer
}

/** Calls the identity API for one record, and returns it ({data: T} or a bare T, recordOf); undefined for 204. */
export async function identityRecord(config: Config, request: IdentityRequest): Promise<unknown> {
  return recordOf(await identityAnswer(config, request))
}

/** Calls the identity API and returns its whole answer (a list's `{ data, links, meta }`); undefined for 204. */
export async function identityAnswer(config: Config, request: IdentityRequest): Promise<Record<string, unknown> | undefined> {
  const url = new URL(config.identityUrl + request.path)
  for (const [name, value] of Object.entries(request.query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value))
  const what = `the identity API (${request.method ?? 'GET'} ${request.path})`
  const call = async (token: ClientToken) =>
    upstreamFetch(
      url.href,
      {
        method: request.method ?? 'GET',
        headers: {
          authorization: `Bearer ${token.access_token}`,
          accept: 'application/json',
          ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      },
      config.upstreamTimeoutMs,
      what,
    )
  let response = await call(await clientTokenFor(config, request.scope))
  // A kept token the server no longer honours (revoked, or the server restarted): one new grant, one retry.
  if (response.status === 401) {
    tokens.delete(`${config.issuer} ${config.clientId} ${request.scope}`)
    response = await call(await clientTokenFor(config, request.scope))
  }
  if (!response.ok) {
    // The status is what callers decide on; the body only adds Moneyhub's code, when it is JSON.
    const json = await readJsonObject(response, what).catch(() => ({}) as Record<string, unknown>)
    const code = typeof json.code === 'string' ? json.code : typeof json.error === 'string' ? json.error : undefined
    const safeCode = code && /^[A-Za-z0-9_:.-]{1,64}$/.test(code) ? code : undefined
    const said = typeof json.message === 'string' ? json.message : json.error_description
    const reason = typeof said === 'string' ? said.replace(/[^\x20-\x7e]/g, '').slice(0, 300) || undefined : undefined
    throw new IdentityApiError(response.status, safeCode, `${what} answered ${response.status}${safeCode ? ` ${safeCode}` : ''}`, reason)
  }
  if (response.status === 204) {
    await response.body?.cancel()
    return undefined
  }
  return readJsonObject(response, what)
}
