/** /sessions: start a connection, read its status, and (backend only) its tokens. */
import { Hono } from 'hono'
import { z } from 'zod'
import { FlowError } from '../connection/errors'
import { createSession, launchSession } from '../connection/start'
import { setBrowserBinding } from '../http/browserBinding'
import { ApiError } from '../errors'
import { backendOrBrowser, requireBackend } from '../http/auth'
import { logFor } from '../http/log'
import { rateLimit } from '../http/rateLimit'
import type { AppEnv } from '../http/context'
import { action, bankId, connectionId, returnTo, SessionIdParam, userId } from '../http/schemas'
import { allowedReturnTo } from '../http/urls'
import { requireJson, validate } from '../http/validation'
import { publicSession } from '../storage/sessions'

export const StartSessionBody = z
  .object({ bankId, returnTo, userId, connectionId, action })
  .partial()
  .strict()
  .refine((b) => !b.action || (b.userId && b.connectionId && !b.bankId), {
    message: 'action needs userId and connectionId, and no bankId',
  })
  .refine((b) => !b.connectionId || b.action, { message: 'connectionId needs an action (reauth, reconsent or refresh)' })

export const sessions = new Hono<AppEnv>()
  .post('/', rateLimit('START_LIMITER'), requireJson, validate('json', StartSessionBody), async (c) => {
    const body = c.req.valid('json')
    const caller = await backendOrBrowser(c)
    if (caller === 'browser' && (body.userId || body.connectionId)) {
      throw new ApiError(403, 'backend_only', 'only the app backend may act for an existing user or connection')
    }
    const config = c.get('config')
    const target = body.returnTo === undefined ? undefined : allowedReturnTo(body.returnTo, config.allowedOrigins)
    if (body.returnTo !== undefined && !target) {
      throw new ApiError(400, 'return_to_not_allowed', 'returnTo must be an absolute http(s) URL on one of ALLOWED_ORIGINS')
    }
    const { record } = await createSession(config, c.get('store'), { ...body, ...(target ? { returnTo: target.href } : {}) })
    logFor(c)('info', 'session_created', { sessionId: record.id, caller, scope: record.requestedScope })
    // The browser goes through this Worker first (on the callback's host, so the binding cookie reaches /callback).
    const authorizeUrl = new URL(`/sessions/${record.id}/authorize`, config.redirectUri).href
    return c.json({ id: record.id, authorizeUrl, statusUrl: new URL(`/sessions/${record.id}`, c.req.url).href, expiresAt: record.expiresAt }, 201)
  })
  .get('/:id/authorize', rateLimit('START_LIMITER'), validate('param', SessionIdParam), async (c) => {
    const config = c.get('config')
    const { record, authorizeUrl, browserKey } = await launchSession(config, c.get('store'), c.req.valid('param').id)
    setBrowserBinding(c, record.id, browserKey, record.expiresAt - Math.floor(Date.now() / 1000))
    c.header('cache-control', 'no-store')
    return c.redirect(authorizeUrl, 303)
  })
  .get('/:id', validate('param', SessionIdParam), async (c) => {
    const record = await c.get('store').get(c.req.valid('param').id)
    if (!record) throw new FlowError('not_found', 'session_not_found', 'no session has this id (it may have expired)')
    return c.json(publicSession(record))
  })
  .get('/:id/tokens', requireBackend, validate('param', SessionIdParam), async (c) => {
    const store = c.get('store')
    const record = await store.get(c.req.valid('param').id)
    if (!record) throw new FlowError('not_found', 'session_not_found', 'no session has this id (it may have expired)')
    const view = publicSession(record)
    if (view.status === 'expired') throw new FlowError('gone', 'session_expired', 'the access token has expired')
    if (view.status !== 'connected') throw new FlowError('conflict', 'session_not_connected', `the session is ${view.status}`)
    const tokens = await store.readTokens(record)
    if (!tokens) throw new FlowError('conflict', 'tokens_unreadable', 'the token set cannot be decrypted with TOKEN_ENCRYPTION_KEY')
    c.header('cache-control', 'no-store')
    return c.json(tokens)
  })
