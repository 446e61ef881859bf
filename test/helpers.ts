/** Drives the proxy (SELF) and the mock identity server (real HTTP) the way a browser and an app backend would. */
import { env, runDurableObjectAlarm, runInDurableObject, SELF } from 'cloudflare:test'
import { decodeJwt, decodeProtectedHeader, type JWTPayload, type ProtectedHeaderParameters } from 'jose'
import { expect, inject, vi } from 'vitest'
import { ERRORS, type ErrorCode } from '../src/errors'
import type { SessionCoordinator } from '../src/objects/sessionCoordinator'
import { forgetIssuerMetadata } from '../src/oidc/discovery'
import { writeShared } from '../src/oidc/sharedCache'

export const mockOrigin = () => inject('mockOrigin')
export const ISSUER = () => `${mockOrigin()}/oidc`
export const APP_ORIGIN = 'https://app.example.com'
export const MOCK_BANK_ID = '1ffe704d39629a929c8e293880fb449a'

export const backendAuth = () => ({ authorization: `Bearer ${env.BACKEND_API_KEY}` })

export interface Started {
  id: string
  authorizeUrl: string
  statusUrl: string
  expiresAt: number
  /** Only for sessions a browser started. */
  secret?: string
}

export async function startSession(body: Record<string, unknown> = {}, headers: Record<string, string> = backendAuth()) {
  return SELF.fetch('http://proxy.test/sessions', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })
}

export async function started(body: Record<string, unknown> = {}, headers?: Record<string, string>): Promise<Started> {
  const response = await startSession(body, headers)
  if (response.status !== 201) throw new Error(`POST /sessions answered ${response.status}: ${await response.text()}`)
  return response.json()
}

/**
 * A browser: keeps the cookies the proxy sets and sends them back, follows
 * nothing on its own. Requests to the mock go over real HTTP; to the proxy, to SELF
 * (the Worker with its project's bindings: vitest.config.ts).
 */
export class Browser {
  readonly cookies = new Map<string, string>()

  async open(url: URL | string, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url)
    if (target.origin === mockOrigin()) return fetch(target, { ...init, redirect: 'manual' })
    const headers = new Headers(init.headers)
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '))
    const response = await SELF.fetch(new Request(target.href, { ...init, headers, redirect: 'manual' }))
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';')
      const [name, value] = pair!.split('=') as [string, string]
      if (attributes.some((a) => /max-age=0\b/i.test(a.trim()))) this.cookies.delete(name.trim())
      else this.cookies.set(name.trim(), value)
    }
    return response
  }

  /** Opens the proxy's authorizeUrl: the proxy binds this browser and sends it on to the identity server. */
  async launch(authorizeUrl: string): Promise<URL> {
    const response = await this.open(authorizeUrl)
    if (response.status !== 303) throw new Error(`launch answered ${response.status}: ${await response.text()}`)
    return new URL(response.headers.get('location')!)
  }

  /** The user at the identity server: approve or deny; returns the redirect back to the proxy. */
  async decide(identityUrl: URL | string, decision: 'approve' | 'deny' = 'approve', extra: Record<string, string> = {}): Promise<URL> {
    const url = new URL(identityUrl)
    url.searchParams.set('decision', decision)
    for (const [k, v] of Object.entries(extra)) url.searchParams.set(k, v)
    const response = await this.open(url)
    if (response.status !== 303) throw new Error(`the mock answered ${response.status}: ${await response.text()}`)
    return new URL(response.headers.get('location')!)
  }

  async authorize(authorizeUrl: string, decision: 'approve' | 'deny' = 'approve', extra: Record<string, string> = {}): Promise<URL> {
    const identityUrl = new URL(authorizeUrl).origin === mockOrigin() ? new URL(authorizeUrl) : await this.launch(authorizeUrl)
    return this.decide(identityUrl, decision, extra)
  }

  /** The user at the identity server in the hybrid flow: the answer is a form to POST back (form_post). */
  async decideFormPost(identityUrl: URL | string, decision: 'approve' | 'deny' = 'approve', extra: Record<string, string> = {}) {
    const url = new URL(identityUrl)
    url.searchParams.set('decision', decision)
    for (const [k, v] of Object.entries(extra)) url.searchParams.set(k, v)
    const response = await this.open(url)
    const page = await response.text()
    if (response.status !== 200) throw new Error(`the mock answered ${response.status}: ${page}`)
    const action = /<form method="post" action="([^"]+)"/.exec(page)![1]!.replace(/&amp;/g, '&')
    const fields = new URLSearchParams()
    for (const [, name, value] of page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g))
      fields.set(name!, value!.replace(/&amp;/g, '&'))
    return { action, fields }
  }

  /** The form_post arriving at the proxy's POST /callback. */
  postCallback(action: string, fields: URLSearchParams): Promise<Response> {
    return this.open(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: fields })
  }

  /** Arriving at the proxy's /callback. */
  callback(url: URL | string): Promise<Response> {
    return this.open(url)
  }
}

/** The user's browser, shared by tests that need only one (cookies are per session). */
export const browser = new Browser()
export const authorize = (authorizeUrl: string, decision: 'approve' | 'deny' = 'approve', extra: Record<string, string> = {}) =>
  browser.authorize(authorizeUrl, decision, extra)
export const callback = (url: URL | string) => browser.callback(url)

/** A whole connection: start, approve at the mock, come back. */
export async function connectAccount(
  body: Record<string, unknown> = {},
  decision: 'approve' | 'deny' = 'approve',
  extra: Record<string, string> = {},
) {
  const session = await started(body)
  const back = await authorize(session.authorizeUrl, decision, extra)
  const response = await callback(back)
  return { session, back, response }
}

export const status = (id: string) => SELF.fetch(`http://proxy.test/sessions/${id}`)
export const statusOf = async (id: string) => (await status(id)).json<Record<string, unknown>>()
export const tokens = (id: string, headers: Record<string, string> = backendAuth()) =>
  SELF.fetch(`http://proxy.test/sessions/${id}/tokens`, { headers })

export interface RecordedRequest {
  endpoint: 'par' | 'token' | 'revocation'
  params: Record<string, string>
  status: number
  answer?: Record<string, unknown>
}

/** What the mock received: forms of the pushed authorization and token requests. */
export async function mockRequests(): Promise<RecordedRequest[]> {
  return (await fetch(`${mockOrigin()}/__mock/requests`)).json()
}

export async function tokenRequestFor(code: string) {
  const found = (await mockRequests()).filter((r) => r.endpoint === 'token' && r.params.code === code)
  if (found.length !== 1) throw new Error(`expected one token request for the code, found ${found.length}`)
  return found[0]!
}

/** A pushed authorization request as the mock received it, its parameters read whichever way they were sent. */
export interface PushedRequest extends RecordedRequest {
  endpoint: 'par'
  /**
   * The authorization parameters (claims as JSON text, as the plain form sends it) and the client authentication
   * fields: from the form itself, or, when the form carries `request` (RFC 9126 §3), from the signed request object.
   */
  params: Record<string, string>
  /** The form as received. */
  form: Record<string, string>
  /** The signed request object (RFC 9101 §4), decoded, when the parameters came in one. */
  requestObject?: { header: ProtectedHeaderParameters; payload: JWTPayload }
}

/** RFC 9101 §4 / RFC 7519 §4.1: members of a request object that are about the JWT, not authorization parameters. */
const JWT_CLAIMS = new Set(['iss', 'aud', 'exp', 'nbf', 'iat', 'jti'])

/** Reads a recorded PAR, plain or signed (`request`): every test that asserts on pushed parameters goes through this. */
export function readPushedRequest(recorded: RecordedRequest): PushedRequest {
  const form = recorded.params
  if (form.request === undefined) return { ...recorded, endpoint: 'par', form, params: { ...form } }
  const { request, ...authentication } = form
  const header = decodeProtectedHeader(request)
  const payload = decodeJwt(request)
  const params: Record<string, string> = { ...authentication }
  for (const [name, value] of Object.entries(payload)) {
    if (JWT_CLAIMS.has(name)) continue
    params[name] = typeof value === 'string' ? value : JSON.stringify(value)
  }
  return { ...recorded, endpoint: 'par', form, params, requestObject: { header, payload } }
}

/** Every pushed authorization request the mock received, read with readPushedRequest. */
export async function pushedRequests(): Promise<PushedRequest[]> {
  return (await mockRequests()).filter((r) => r.endpoint === 'par').map(readPushedRequest)
}

export async function pushedRequestFor(identityUrl: URL | string) {
  const requestUri = new URL(identityUrl).searchParams.get('request_uri')
  const found = (await pushedRequests()).filter((r) => r.answer?.request_uri === requestUri)
  if (found.length !== 1) throw new Error(`expected one pushed request, found ${found.length}`)
  return found[0]!
}

export const claimsOf = (jwt: string) => decodeJwt(jwt)

export const refresh = (id: string, headers: Record<string, string> = backendAuth()) =>
  SELF.fetch(`http://proxy.test/sessions/${id}/refresh`, { method: 'POST', headers })
export const remove = (id: string, headers: Record<string, string> = backendAuth()) =>
  SELF.fetch(`http://proxy.test/sessions/${id}`, { method: 'DELETE', headers })

export interface TokenSetAnswer {
  access_token: string
  id_token: string
  refresh_token?: string
  token_type: string
  scope: string
  expires_at: number
}
export const tokenSet = async (id: string) => (await tokens(id)).json<TokenSetAnswer>()

export const sleepMs = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Revokes a grant at the mock directly, as a user withdrawing consent at Moneyhub would. */
export async function revokeAtMock(token: string) {
  const response = await fetch(`${mockOrigin()}/__mock/revoke`, { method: 'POST', body: new URLSearchParams({ token }) })
  if (!response.ok) throw new Error(`the mock did not revoke: ${response.status}`)
}

export interface ReceivedWebhook {
  at: number
  headers: Record<string, string>
  body: string
  /** What the mock's receiver answered: 204, or 503 while it was down; 0 for a delivery it holds unanswered. */
  answered: number
}
export async function webhooksFor(id: string): Promise<ReceivedWebhook[]> {
  const all = await (await fetch(`${mockOrigin()}/__mock/webhooks`)).json<ReceivedWebhook[]>()
  return all.filter((w) => (JSON.parse(w.body) as { id: string }).id === id)
}

/** The session's (or VRP consent's) Durable Object. */
export const stubOf = (id: string) => env.SESSION_COORDINATOR.get(env.SESSION_COORDINATOR.idFromName(id))

/** The bodies of the webhooks the mock received for a session, in order. */
export const webhookEvents = async (id: string) => (await webhooksFor(id)).map((w) => JSON.parse(w.body) as Record<string, unknown>)

/** Runs the session's alarm until a webhook carries Moneyhub's final status (or `looks` alarms have run): that event. */
export async function followedToMoneyhubStatus(id: string, looks = 6) {
  for (let i = 0; i < looks; i++) {
    await runDurableObjectAlarm(stubOf(id))
    const found = (await webhookEvents(id)).find((e) => e.moneyhubStatus)
    if (found) return found
    await sleepMs(50)
  }
  // The last look's webhook may still be on its way: waited for (bounded) rather than raced.
  const events = await eventually(
    () => webhookEvents(id),
    (all) => all.some((e) => e.moneyhubStatus),
    3000,
  )
  return events.find((e) => e.moneyhubStatus)
}

/** The mock's webhook receiver refuses this session's events (503) for `ms`. */
export async function webhookOutage(id: string, ms: number) {
  await (await fetch(`${mockOrigin()}/__mock/webhooks/outage?id=${id}&ms=${ms}`, { method: 'POST' })).arrayBuffer()
}

/** The mock's webhook receiver refuses (503) the next `count` deliveries of this session's events. */
export async function refuseWebhooks(id: string, count = 1) {
  await (await fetch(`${mockOrigin()}/__mock/webhooks/refuse?id=${id}&count=${count}`, { method: 'POST' })).arrayBuffer()
}

/** A tab's sessionStorage, for the browser helper (src/client/browser.ts) running outside a browser. */
export function pageStorage() {
  const items = new Map<string, string>()
  return { getItem: (key: string) => items.get(key) ?? null, setItem: (key: string, value: string) => void items.set(key, value) }
}

/** The pushed authorisation requests the mock received for a session (its state starts with the id). */
export async function pushedRequestsOf(id: string) {
  return (await pushedRequests()).filter((r) => r.params.state?.startsWith(`${id}.`))
}

/** The status streams a session's Durable Object holds open. */
export const watchersOf = (id: string) => env.SESSION_COORDINATOR.get(env.SESSION_COORDINATOR.idFromName(id)).watching()

/** The access token works at the identity server (its userinfo endpoint answers for it). */
export async function accessTokenWorks(accessToken: string) {
  const response = await fetch(`${ISSUER()}/me`, { headers: { authorization: `Bearer ${accessToken}` } })
  await response.arrayBuffer()
  return response.ok
}

// ---------- pay by bank (issue 13) ----------

export interface StartedPayment extends Started {
  secret: string
}

/** POST a payment kind's start (/payments, /standing-orders, /recurring-payments, /payments/:id/reverse) as the backend. */
export const startPaymentAt = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  backendJson('POST', path, body, { ...backendAuth(), ...headers })

export async function startedPayment(path: string, body: unknown, headers: Record<string, string> = {}): Promise<StartedPayment> {
  const response = await startPaymentAt(path, body, headers)
  if (response.status !== 201) throw new Error(`POST ${path} answered ${response.status}: ${await response.text()}`)
  return response.json()
}

/** A standing order's body: 12 monthly payments of £500 to a payee given in full. */
export const standingOrderBody = (extra: Record<string, unknown> = {}) => ({
  bankId: MOCK_BANK_ID,
  payee: { name: 'Landlord', sortCode: '123456', accountNumber: '12345678' },
  reference: `R${crypto.randomUUID().slice(0, 8)}`,
  frequency: { repeat: 'Monthly', day: 1 },
  numberOfPayments: 12,
  firstPaymentAmount: 50_000,
  firstPaymentDate: '2030-01-01',
  ...extra,
})

/** A journey started at `path`, approved at the mock with its `fault` (docs/development.md), and back: the browser's return. */
export async function approvedWithFault(path: string, body: unknown, fault: string) {
  const user = new Browser()
  const payment = await startedPayment(path, body)
  const returned = await user.callback(await user.authorize(payment.authorizeUrl, 'approve', { fault }))
  return { payment, returned }
}

/** A single payment's body: £1.50 to a payee given in full. */
export const paymentBody = (extra: Record<string, unknown> = {}) => ({
  bankId: MOCK_BANK_ID,
  amount: 150,
  payee: { name: 'Corner Shop', sortCode: '123456', accountNumber: '12345678' },
  payeeRef: `T${crypto.randomUUID().slice(0, 8)}`,
  payerRef: 'Corner shop',
  returnTo: `${APP_ORIGIN}/paid`,
  ...extra,
})

/** A session started at `path` (POST /sessions, /payments) through the mock bank and back, approved: its pushed request and status. */
export async function approvedThrough(path: string, body: unknown) {
  const session = await startedPayment(path, body)
  const user = new Browser()
  const launch = await user.open(session.authorizeUrl)
  const pushed = await pushedRequestsOf(session.id)
  if (launch.status !== 303 || pushed.length !== 1)
    throw new Error(`the launch answered ${launch.status} after ${pushed.length} pushed requests`)
  const returned = await user.callback(await user.decide(launch.headers.get('location')!))
  if (returned.status >= 400) throw new Error(`the callback answered ${returned.status}`)
  const status = await (
    await backendJson('GET', `${path === '/sessions' ? '/sessions' : '/payments'}/${session.id}`)
  ).json<Record<string, unknown>>()
  return { pushed: pushed[0]!, status }
}

/** GET /payments/:id as the backend. */
export const paymentStatus = (id: string, query = '') => backendJson('GET', `/payments/${id}${query}`)
export const paymentStatusOf = async (id: string, query = '') => (await paymentStatus(id, query)).json<Record<string, any>>()

/** What the mock's code exchanges made for a session (its state starts with the session id). */
export async function madeAtMockFor(
  id: string,
): Promise<{ flow: string; id: string; value: Record<string, unknown>; /** A refund's own payment record. */ paymentId?: string }[]> {
  const all = await (
    await fetch(`${mockOrigin()}/__mock/payments`)
  ).json<{ flow: string; id: string; state: string; value: Record<string, unknown>; paymentId?: string }[]>()
  return all.filter((made) => made.state.startsWith(`${id}.`))
}

/** A payment kind's session, from its start to the browser's return: the user approves (or denies) at the mock. */
export async function payThrough(
  path: string,
  body: unknown,
  decision: 'approve' | 'deny' = 'approve',
  headers: Record<string, string> = {},
) {
  const user = new Browser()
  const payment = await startedPayment(path, body, headers)
  const back = await user.authorize(payment.authorizeUrl, decision)
  const returned = await user.callback(back)
  return { user, payment, back, returned }
}

// ---------- reaching the data (issue 12) ----------

/** A JSON request from the app backend to the proxy. */
export const backendJson = (method: string, path: string, body?: unknown, headers: Record<string, string> = backendAuth()) =>
  SELF.fetch(`http://proxy.test${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })

/** POST /users through the proxy: a registered user's id. */
export async function registerUser(clientUserId?: string): Promise<string> {
  const response = await backendJson('POST', '/users', clientUserId ? { clientUserId } : {})
  if (response.status !== 201) throw new Error(`POST /users answered ${response.status}: ${await response.text()}`)
  return (await response.json<{ userId: string }>()).userId
}

/** POST /tokens through the proxy. */
export const dataTokenRequest = (body: unknown) => backendJson('POST', '/tokens', body)

/** The mock's data API, read the way the app backend would with a token from the proxy. */
export const readData = (path: string, accessToken: string) =>
  fetch(`${mockOrigin()}/data/v2.0${path}`, { headers: { authorization: `Bearer ${accessToken}` } })

/** The client-credentials grants the mock has answered. */
export const clientCredentialGrants = async () =>
  (await mockRequests()).filter((r) => r.endpoint === 'token' && r.params.grant_type === 'client_credentials')

/**
 * The limiter's windows are aligned to the wall clock (60 s). A burst split by a window boundary (a busy machine
 * can make one slow) is sent again from a fresh address, which then starts at the beginning of a window.
 */
export async function inOneWindow<T>(addresses: string[], burst: (address: string) => Promise<T>): Promise<T> {
  for (const address of addresses) {
    const window = Math.floor(Date.now() / 60_000)
    const result = await burst(address)
    if (Math.floor(Date.now() / 60_000) === window) return result
  }
  throw new Error('every burst was split by a window boundary')
}

// ---------- outcomes that take a while (issue 17) ----------

/**
 * The identity server cannot be reached while `work` runs: the Worker's fetches to the issuer (it and its Durable
 * Objects run in this isolate) fail as a refused connection does. The discovery document is forgotten first (this
 * isolate's copy, and the shared one replaced by one that fails the checks), so that it must be fetched.
 */
export async function whileIdentityServerDown<T>(work: () => Promise<T>): Promise<T> {
  forgetIssuerMetadata()
  await writeShared('discovery', ISSUER(), { issuer: 'unusable' })
  const real = globalThis.fetch
  const down = vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
    const url = input instanceof Request ? input.url : String(input)
    return url.startsWith(ISSUER()) ? Promise.reject(new TypeError('Network connection lost.')) : real(input, init)
  })
  try {
    return await work()
  } finally {
    down.mockRestore()
  }
}

/** Every key in the SESSIONS namespace, page by page (a list answers at most 1000; a project's files share the namespace). */
export async function allKvKeys(): Promise<string[]> {
  const names: string[] = []
  let cursor: string | undefined
  do {
    const page = await env.SESSIONS.list(cursor ? { cursor } : {})
    names.push(...page.keys.map((k) => k.name))
    cursor = page.list_complete ? undefined : page.cursor
  } while (cursor)
  return names
}

/** Polls until `read` gives something `done` accepts (generous: the machine is busy). */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 20_000): Promise<T> {
  const until = Date.now() + ms
  let value = await read()
  while (!done(value) && Date.now() < until) {
    await sleepMs(200)
    value = await read()
  }
  return value
}

/** Test seam: KV as the session's object sees it (its env), replaced, whose puts of this session's record fail while `failing` says so. */
export async function breakSessionWrites(id: string, failing: () => boolean) {
  await runInDurableObject(env.SESSION_COORDINATOR.get(env.SESSION_COORDINATOR.idFromName(id)), (instance: SessionCoordinator) => {
    const held = instance as unknown as { env: Env }
    const kv = held.env.SESSIONS
    const broken = new Proxy(kv, {
      get(target, property) {
        if (property === 'put') {
          return (key: string, ...rest: unknown[]) => {
            if (key === `session:${id}` && failing()) return Promise.reject(new Error('KV put failed (injected)'))
            return (target.put as (...args: unknown[]) => Promise<void>).call(target, key, ...rest)
          }
        }
        const value = Reflect.get(target, property, target)
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
    held.env = { ...held.env, SESSIONS: broken }
  })
}

/**
 * The API's refusal: the error table's `code` (src/errors.ts) with its status. Clients branch on the code, so tests
 * assert it rather than the wording; the body is returned for a test whose message must name what to fix.
 */
export async function expectRefusal(response: Response, code: ErrorCode) {
  const body = await response.json<{ error: string; message: string }>()
  expect({ status: response.status, error: body.error }).toEqual({ status: ERRORS[code], error: code })
  return body
}

/** The code a refusal page shows a person beside the reason in words (src/http/resultPage.ts: `Reason: <code>…</code>`). */
export async function reasonOnPage(response: Response) {
  return /Reason: <code>([a-z_]+)<\/code>/.exec(await response.text())?.[1]
}

/** An OpenAPI schema with its `#/components/schemas/…` references inlined (`schemas` is the document's), so that it stands alone. */
export function inlineSchemaRefs(schema: unknown, schemas: Record<string, unknown>): unknown {
  if (Array.isArray(schema)) return schema.map((s) => inlineSchemaRefs(s, schemas))
  if (!schema || typeof schema !== 'object') return schema
  const ref = (schema as { $ref?: string }).$ref
  if (ref?.startsWith('#/components/schemas/')) return inlineSchemaRefs(schemas[ref.slice('#/components/schemas/'.length)], schemas)
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, inlineSchemaRefs(v, schemas)]))
}
