/**
 * A tiny, framework-free helper for an app's frontend:
 *
 *   const { id } = await connectBank({ baseUrl, bankId, returnTo: location.href })   // leaves the page
 *   // … back at returnTo:
 *   const returned = sessionFromReturn()                                            // { session, status, error? }
 *   const session = await waitForStatus(returned.session, { baseUrl })              // final status, never a token
 *
 * The page's origin must be in the proxy's ALLOWED_ORIGINS. connectBank keeps
 * the session's secret in sessionStorage (this tab, this origin), keyed by the
 * session id; sessionFromReturn refuses a session this tab did not start
 * (someone else's return link), and waitForStatus shows the secret to the
 * status API, which asks for it for every browser-started session.
 */
import type { Session, SessionStatus } from '../storage/sessionRecord'

export type { Session, SessionStatus }

export interface StartedSession {
  id: string
  authorizeUrl: string
  statusUrl: string
  expiresAt: number
  /** Only when a browser started the session: proves this page started it. */
  secret?: string
}

/** Where the helper keeps session secrets: sessionStorage in a browser. */
export interface SecretStore {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
}

export class ConnectError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message)
    this.name = 'ConnectError'
  }
}

interface Common {
  /** The proxy's origin, e.g. https://connect.example.com */
  baseUrl: string
  /** For tests and non-browser runtimes. */
  fetch?: typeof fetch
  /** Default: sessionStorage. */
  storage?: SecretStore
}

export interface ConnectOptions extends Common {
  bankId?: string
  returnTo?: string
  /** Where to send the browser; default: location.assign. */
  navigate?: (url: string) => void
}

/** The page's location (the helper runs in browsers; typed here without the DOM lib). */
const pageLocation = () => (globalThis as unknown as { location: { href: string; assign(url: string): void } }).location
const pageStorage = (options: { storage?: SecretStore }): SecretStore | undefined =>
  options.storage ?? (globalThis as unknown as { sessionStorage?: SecretStore }).sessionStorage
const secretKey = (id: string) => `moneyhub-connect:secret:${id}`

/** The secret this page holds for a session it started, if any. */
export function sessionSecret(id: string, options: { storage?: SecretStore } = {}): string | undefined {
  return pageStorage(options)?.getItem(secretKey(id)) ?? undefined
}

async function call<T>(options: Common, path: string, init?: RequestInit): Promise<T> {
  const doFetch = options.fetch ?? fetch
  const response = await doFetch(new URL(path, options.baseUrl).href, init)
  const body = (await response.json().catch(() => ({}))) as { error?: string; message?: string }
  if (!response.ok) throw new ConnectError(body.error ?? 'http_error', body.message ?? `HTTP ${response.status}`, response.status)
  return body as T
}

/** Starts a session and sends the browser to the identity server. */
export async function connectBank(options: ConnectOptions): Promise<StartedSession> {
  const started = await call<StartedSession>(options, '/sessions', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      ...(options.bankId ? { bankId: options.bankId } : {}),
      ...(options.returnTo ? { returnTo: options.returnTo } : {}),
    }),
  })
  // Kept before leaving the page: on return, it is what says this tab started the session.
  if (started.secret) {
    const storage = pageStorage(options)
    if (!storage) throw new ConnectError('no_session_storage', 'this runtime has no sessionStorage: pass `storage`', 0)
    storage.setItem(secretKey(started.id), started.secret)
  }
  const navigate = options.navigate ?? ((url: string) => pageLocation().assign(url))
  navigate(started.authorizeUrl)
  return started
}

/**
 * What the proxy appended to returnTo: ?session=<id>&status=…[&error=…], for a
 * session this tab started with connectBank. Anyone can make such a link (for a
 * session of their own, with their bank): a session this tab holds no secret for
 * is refused with ConnectError `session_not_started_here`, never returned.
 */
export function sessionFromReturn(
  url: string = pageLocation().href,
  options: { storage?: SecretStore } = {},
): { session: string; status: SessionStatus; error?: string } | undefined {
  const params = new URL(url).searchParams
  const session = params.get('session')
  const status = params.get('status') as SessionStatus | null
  if (!session || !status) return undefined
  if (!sessionSecret(session, options)) {
    throw new ConnectError('session_not_started_here', 'this page did not start that session: it may be someone else’s link', 403)
  }
  const error = params.get('error')
  return { session, status, ...(error ? { error } : {}) }
}

/** The session's status once it leaves `pending` (and a payment's `confirming`) (long-polling the proxy), or the last one seen after `timeoutSeconds`. */
export async function waitForStatus(id: string, options: Common & { timeoutSeconds?: number }): Promise<Session> {
  const until = Date.now() + (options.timeoutSeconds ?? 120) * 1000
  for (;;) {
    const wait = Math.max(0, Math.min(25, Math.floor((until - Date.now()) / 1000)))
    const secret = sessionSecret(id, options)
    const session = await call<Session>(options, `/sessions/${encodeURIComponent(id)}?wait=${wait}`, {
      ...(secret ? { headers: { 'x-session-secret': secret } } : {}),
    })
    if ((session.status !== 'pending' && session.status !== 'confirming') || wait === 0) return session
  }
}
