/** GET /callback: the redirect target registered with Moneyhub (MONEYHUB_REDIRECT_URI). */
import { Hono } from 'hono'
import { z } from 'zod'
import { completeConnection, sessionIdOfState } from '../connection/complete'
import { deliverWebhook } from '../connection/webhook'
import { coordinatorOf } from '../coordinator'
import { clearBrowserBinding, readBrowserBinding } from '../http/browserBinding'
import { logFor } from '../http/log'
import { rateLimit } from '../http/rateLimit'
import type { AppEnv } from '../http/context'
import { RESULT_PAGE_CSP, resultPage } from '../http/resultPage'
import { validate } from '../http/validation'

const short = z.string().max(2048)
/** RFC 6749 §4.1.2 and RFC 9207: other parameters the server may add are ignored. */
const CallbackQuery = z.object({
  state: z.string().min(1).max(256),
  code: short.optional(),
  iss: short.optional(),
  error: z.string().max(256).optional(),
  error_description: short.optional(),
})

export const callback = new Hono<AppEnv>().get('/', rateLimit('CALLBACK_LIMITER'), validate('query', CallbackQuery), async (c) => {
  const query = c.req.valid('query')
  const id = sessionIdOfState(query.state)
  const browserKey = id ? readBrowserBinding(c, id) : undefined
  const config = c.get('config')
  const { session, record, returnTo } = await completeConnection(config, c.get('store'), query, browserKey)
  clearBrowserBinding(c, session.id)
  if (config.webhook && record) {
    // Never in the user's way: the webhook and the expiry watch run after the answer.
    c.executionCtx.waitUntil(deliverWebhook(config, session))
    if (record.status === 'connected') c.executionCtx.waitUntil(coordinatorOf(c.env, record.id).watch(record))
  }
  logFor(c)(session.status === 'connected' ? 'info' : 'warn', 'session_completed', { sessionId: session.id, status: session.status, error: session.error })
  c.header('cache-control', 'no-store')
  c.header('referrer-policy', 'no-referrer')
  if (returnTo) {
    const url = new URL(returnTo)
    url.searchParams.set('session', session.id)
    url.searchParams.set('status', session.status)
    if (session.error) url.searchParams.set('error', session.error)
    return c.redirect(url.href, 303)
  }
  c.header('content-security-policy', RESULT_PAGE_CSP)
  return c.html(resultPage(session))
})
