/**
 * A tiny, framework-free helper for an app's frontend:
 *
 *   const { id } = await connectBank({ baseUrl, bankId, returnTo: location.href })   // leaves the page
 *   // … back at returnTo:
 *   const returned = sessionFromReturn()                                            // { session, status, error? }
 *   const session = await waitForStatus(returned.session, { baseUrl })              // final status, never a token
 *
 * The page's origin must be in the proxy's ALLOWED_ORIGINS.
 */
import type { Session, SessionStatus } from '../storage/sessions'

export type { Session, SessionStatus }

export interface StartedSession {
  id: string
  authorizeUrl: string
  statusUrl: string
  expiresAt: number
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
}

export interface ConnectOptions extends Common {
  bankId?: string
  returnTo?: string
  /** Where to send the browser; default: location.assign. */
  navigate?: (url: string) => void
}

/** The page's location (the helper runs in browsers; typed here without the DOM lib). */
const pageLocation = () => (globalThis as unknown as { location: { href: string; assign(url: string): void } }).location

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
  const navigate = options.navigate ?? ((url: string) => pageLocation().assign(url))
  navigate(started.authorizeUrl)
  return started
}

/** What the proxy appended to returnTo: ?session=<id>&status=…[&error=…]. */
export function sessionFromReturn(
  url: string = pageLocation().href,
): { session: string; status: SessionStatus; error?: string } | undefined {
  const params = new URL(url).searchParams
  const session = params.get('session')
  const status = params.get('status') as SessionStatus | null
  if (!session || !status) return undefined
  const error = params.get('error')
  return { session, status, ...(error ? { error } : {}) }
}

/** The session's status once it leaves `pending` (long-polling the proxy), or the last one seen after `timeoutSeconds`. */
export async function waitForStatus(id: string, options: Common & { timeoutSeconds?: number }): Promise<Session> {
  const until = Date.now() + (options.timeoutSeconds ?? 120) * 1000
  for (;;) {
    const wait = Math.max(0, Math.min(25, Math.floor((until - Date.now()) / 1000)))
    const session = await call<Session>(options, `/sessions/${encodeURIComponent(id)}?wait=${wait}`)
    if (session.status !== 'pending' || wait === 0) return session
  }
}
