/** GET /connect: start a connection and send the browser on, in one step. */
import { Hono } from 'hono'
import { describeRoute } from 'hono-openapi'
import { errorAnswers, redirectAnswer } from '../http/openapi'
import * as z from 'zod/mini'
import { authorizeUrlFor, createSession } from '../connection/start'
import { setBrowserBinding } from '../http/browserBinding'
import { note } from '../http/log'
import { rateLimit } from '../http/rateLimit'
import type { AppEnv } from '../http/context'
import { bankId, returnTo } from '../http/schemas'
import { checkedReturnTo } from '../http/urls'
import { validate } from '../http/validation'

const ConnectQuery = z.object({ bankId: z.optional(bankId), returnTo: z.optional(returnTo) })

export const connect = new Hono<AppEnv>().get(
  '/',
  describeRoute({
    summary: 'Start a connection and go to the identity server, in one browser step',
    tags: ['browser'],
    responses: {
      303: redirectAnswer("to Moneyhub's authorisation endpoint, with the browser-binding cookie"),
      ...errorAnswers(400, 429, 502),
    },
  }),
  rateLimit('START_LIMITER'),
  validate('query', ConnectQuery),
  async (c) => {
    const query = c.req.valid('query')
    const config = c.get('config')
    const returnTo = checkedReturnTo(query.returnTo, config.allowedOrigins)
    const created = await createSession(config, c.get('store'), { ...query, ...(returnTo ? { returnTo } : {}) })
    note(c, 'session_created', 'info', { sessionId: created.record.id, caller: 'browser', scope: created.record.requestedScope })
    const authorizeUrl = await authorizeUrlFor(config, created.ticket)
    setBrowserBinding(c, created.record.id, created.ticket.browserKey, config.sessionTtlSeconds)
    c.header('cache-control', 'no-store')
    return c.redirect(authorizeUrl, 303)
  },
)
