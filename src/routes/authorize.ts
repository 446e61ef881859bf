/**
 * GET /sessions/:id/authorize?ticket=…: the authorizeUrl. The session's
 * Durable Object binds the first browser that opens it (one call), and only
 * then is the authorisation request pushed upstream; any other browser, and
 * any opening of a final session, sends nothing upstream.
 */
import { Hono } from 'hono/tiny'
import { describeRoute } from 'hono-openapi'
import * as v from 'valibot'
import { authorizeUrlFor, openTicket } from '../session/start'
import { coordinatorOf } from '../objects/sessionCoordinator'
import { countOpened } from '../health/count'
import { browserError, knowSession, refuse } from '../http/browserAnswer'
import { readBrowserBinding, setBrowserBinding } from '../http/browserBinding'
import type { AppEnv } from '../http/context'
import { errorAnswers, redirectAnswer } from '../http/openapi'
import { rateLimit } from '../http/rateLimit'
import { SessionIdParam } from '../http/schemas'
import { validate } from '../http/validation'
import { object } from '../util/valibot'
import { nowSeconds } from '../storage/sessionRecord'

/** The largest ticket a valid start makes is measured in test/api/body-limits.test.ts; this leaves room. */
const LaunchQuery = object({ ticket: v.pipe(v.string(), v.minLength(1), v.maxLength(8192)) })

export const authorize = new Hono<AppEnv>()
  .get(
    '/',
    describeRoute(
      OPENAPI_BUILD
        ? {
            summary: 'The authorizeUrl: bind this browser and go to the identity server',
            tags: ['browser'],
            responses: {
              303: redirectAnswer("to Moneyhub's authorisation endpoint; or, once the session is final, to returnTo with its outcome"),
              200: {
                description: 'a final session without returnTo: its outcome as a page',
                content: { 'text/html': { schema: { type: 'string' } } },
              },
              ...errorAnswers(400, 409, 410, 429, 502),
            },
          }
        : {},
    ),
    rateLimit('START_LIMITER'),
    validate('param', SessionIdParam),
    validate('query', LaunchQuery),
    async (c) => {
      const { id } = c.req.valid('param')
      const { ticket: sealedTicket } = c.req.valid('query')
      const config = c.get('config')
      const ticket = await openTicket(config, id, sealedTicket)
      knowSession(c, id, ticket.record.returnTo)
      const presented = readBrowserBinding(c, id)
      const launched = await coordinatorOf(c.env, id).launch(ticket.record, ticket.state, sealedTicket, presented)
      if (!launched.ok) return refuse(c, id, launched)
      if (launched.browserKey !== presented) countOpened(ticket.record) // the first opening: a new binding
      // Set before the request goes upstream: if that fails, this browser keeps its binding and can try again.
      setBrowserBinding(c, id, launched.browserKey, ticket.record.expiresAt - nowSeconds())
      const authorizeUrl = await authorizeUrlFor(config, ticket)
      c.header('cache-control', 'no-store')
      return c.redirect(authorizeUrl, 303)
    },
  )
  .onError(browserError)
