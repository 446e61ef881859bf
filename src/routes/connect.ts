/** GET /connect: start a connection, bind this browser (one call to the session's Durable Object) and send it on, in one step. */
import { Hono } from 'hono/tiny'
import { describeRoute } from 'hono-openapi'
import { errorAnswers, redirectAnswer } from '../http/openapi'
import * as v from 'valibot'
import { requireListedBank } from '../banks/listed'
import { ApiError } from '../errors'
import { authorizeUrlFor, createSession } from '../session/start'
import { coordinatorOf } from '../objects/sessionCoordinator'
import { browserError, knowSession } from '../http/browserAnswer'
import { setBrowserBinding } from '../http/browserBinding'
import { note } from '../http/log'
import { rateLimit } from '../http/rateLimit'
import type { AppEnv } from '../http/context'
import { bankId, returnTo } from '../http/schemas'
import { checkedReturnTo } from '../util/urls'
import { validate } from '../http/validation'
import { object } from '../util/valibot'

const ConnectQuery = object({ bankId: v.optional(bankId), returnTo: v.optional(returnTo) })

export const connect = new Hono<AppEnv>()
  .get(
    '/',
    describeRoute(
      OPENAPI_BUILD
        ? {
            summary: 'Start a connection and go to the identity server, in one browser step',
            tags: ['browser'],
            responses: {
              303: redirectAnswer("to Moneyhub's authorisation endpoint, with the browser-binding cookie"),
              ...errorAnswers(400, 429, 502),
            },
          }
        : {},
    ),
    rateLimit('START_LIMITER'),
    validate('query', ConnectQuery),
    async (c) => {
      const query = c.req.valid('query')
      const config = c.get('config')
      const returnTo = checkedReturnTo(query.returnTo, config.allowedOrigins)
      await requireListedBank(config, query.bankId)
      const created = await createSession(config, c.get('store'), { ...query, ...(returnTo ? { returnTo } : {}) })
      note(c, 'session_created', 'info', { sessionId: created.record.id, caller: 'browser', scope: created.record.requestedScope })
      knowSession(c, created.record.id, returnTo)
      const { record, ticket, sealedTicket } = created
      const launched = await coordinatorOf(c.env, record.id).launch(record, ticket.state, sealedTicket)
      if (!launched.ok) throw new ApiError(launched.code, launched.message) // a session made just now: never
      setBrowserBinding(c, record.id, launched.browserKey, config.sessionTtlSeconds)
      const authorizeUrl = await authorizeUrlFor(config, ticket)
      c.header('cache-control', 'no-store')
      return c.redirect(authorizeUrl, 303)
    },
  )
  .onError(browserError)
