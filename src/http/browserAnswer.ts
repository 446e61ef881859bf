/**
 * People get pages, programs get JSON: how the browser routes
 * (/sessions/:id/authorize, /callback, /connect) answer. A refusal for a known
 * session sends the browser back to its returnTo with
 * `status=failed&error=<code>` (or, for a session already final, with its
 * outcome); otherwise the answer is an HTML page with the reason in words.
 * JSON only for a client that asks for it (`Accept: application/json`).
 */
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { Refusal } from '../objects/sessionCoordinator'
import { ApiError } from '../errors'
import { answerError } from './answerError'
import { note } from './log'
import type { LogLevel } from '../util/log'
import type { Session } from '../storage/sessionRecord'
import type { AppEnv } from './context'
import { RESULT_PAGE_CSP, refusalPage, resultPage } from './resultPage'

export const wantsJson = (c: Context) => /\bapplication\/json\b/i.test(c.req.header('accept') ?? '')

/** The session a browser request is about, once known: where a refusal sends the browser. */
const known = new WeakMap<Request, { id: string; returnTo?: string }>()
export const knowSession = (c: Context<AppEnv>, id: string, returnTo: string | undefined) =>
  void known.set(c.req.raw, { id, ...(returnTo ? { returnTo } : {}) })

/** 303 to returnTo with the session's id, status and error. */
export function sendBack(c: Context<AppEnv>, returnTo: string, session: Pick<Session, 'id' | 'status' | 'error' | 'reason'>) {
  const url = new URL(returnTo)
  url.searchParams.set('session', session.id)
  url.searchParams.set('status', session.status)
  if (session.error) url.searchParams.set('error', session.error)
  if (session.reason) url.searchParams.set('reason', session.reason)
  c.header('cache-control', 'no-store')
  return c.redirect(url.href, 303)
}

/** The page of a final session: its outcome. */
export function outcomePage(c: Context<AppEnv>, session: Session) {
  c.header('cache-control', 'no-store')
  c.header('content-security-policy', RESULT_PAGE_CSP)
  return c.html(resultPage(session))
}

function refusalAnswer(c: Context<AppEnv>, status: ContentfulStatusCode, code: string) {
  const session = known.get(c.req.raw)
  // Another browser is not sent to the app as if its user's connection had failed: it gets the page.
  if (session?.returnTo && code !== 'link_used') return sendBack(c, session.returnTo, { id: session.id, status: 'failed', error: code })
  c.header('cache-control', 'no-store')
  c.header('content-security-policy', RESULT_PAGE_CSP)
  return c.html(refusalPage(code), status)
}

/** A refusal from the session's Durable Object. */
export function refuse(c: Context<AppEnv>, id: string, refusal: Refusal) {
  if (refusal.session && !wantsJson(c)) {
    return refusal.returnTo ? sendBack(c, refusal.returnTo, refusal.session) : outcomePage(c, refusal.session)
  }
  knowSession(c, id, refusal.returnTo)
  throw new ApiError(refusal.code, refusal.message)
}

/** onError of the browser routes: the API's JSON error, turned into a redirect or a page unless JSON was asked for. */
export async function browserError(error: Error, c: Context<AppEnv>) {
  const json = answerError(error, c)
  if (wantsJson(c)) return json
  const { error: code } = await json.json<{ error: string }>()
  // The log line keeps the failure's own status beside the redirect's or page's (docs/local-development.md, "Log events").
  const noted = c.get('logNote') as { event: string; level: LogLevel; fields: Record<string, unknown> } | undefined
  if (noted) note(c, noted.event, noted.level, { ...noted.fields, errorStatus: json.status })
  return refusalAnswer(c, json.status as ContentfulStatusCode, code)
}
