/**
 * The redirect target registered with Moneyhub (MONEYHUB_REDIRECT_URI):
 * GET /callback for the code flow's query, POST /callback for the hybrid
 * flow's form_post (RESPONSE_TYPE=code id_token). One call to the session's
 * Durable Object checks, claims, exchanges and stores (objects/sessionCoordinator.ts).
 */
import type { Context } from 'hono'
import { Hono } from 'hono/tiny'
import { createMiddleware } from 'hono/factory'
import { describeRoute, type ResponsesWithResolver } from 'hono-openapi'
import { errorAnswers, redirectAnswer } from '../http/openapi'
import * as v from 'valibot'
import { sessionIdOfState, type AuthorizationResponse } from '../session/complete'
import { ApiError } from '../errors'
import { coordinatorOf } from '../objects/sessionCoordinator'
import { browserError, outcomePage, refuse, sendBack } from '../http/browserAnswer'
import { clearBrowserBinding, readBrowserBinding } from '../http/browserBinding'
import type { AppEnv } from '../http/context'
import { note } from '../http/log'
import { rateLimit } from '../http/rateLimit'
import { validate } from '../http/validation'
import { object } from '../util/valibot'

const short = v.optional(v.pipe(v.string(), v.maxLength(2048)))
/** RFC 6749 §4.1.2 and RFC 9207: other parameters the server may add are ignored. */
const authorizationResponse = {
  state: v.pipe(v.string(), v.minLength(1), v.maxLength(256)),
  code: short,
  iss: short,
  error: v.optional(v.pipe(v.string(), v.maxLength(256))),
  error_description: short,
}
const AuthorizationResponseSchema = object({ ...authorizationResponse, id_token: v.optional(v.pipe(v.string(), v.maxLength(8192))) })

async function complete(c: Context<AppEnv>, response: AuthorizationResponse) {
  const id = sessionIdOfState(response.state)
  if (!id) throw new ApiError('state_unknown', 'the state does not belong to any session')
  const outcome = await coordinatorOf(c.env, id).complete(response, readBrowserBinding(c, id))
  if (!outcome.ok) return refuse(c, id, outcome)
  const { session, returnTo } = outcome
  clearBrowserBinding(c, session.id)
  // A user's own refusal (RFC 6749 §4.1.2.1 access_denied) is an outcome, not a fault: warn is for what an operator must look at.
  const expected = session.status === 'connected' || session.status === 'authorised' || session.error === 'access_denied'
  note(c, 'session_completed', expected ? 'info' : 'warn', {
    sessionId: session.id,
    outcome: session.status,
    error: session.error,
  })
  return returnTo ? sendBack(c, returnTo, session) : outcomePage(c, session)
}

/** POST /callback exists for the hybrid flow only: refused before its body is read. */
const hybridFlowOnly = createMiddleware<AppEnv>(async (c, next) => {
  if (c.get('config').responseType !== 'code id_token') {
    throw new ApiError('method_not_allowed', 'POST /callback answers the hybrid flow only (RESPONSE_TYPE=code id_token)')
  }
  await next()
})

const callbackAnswers: ResponsesWithResolver = OPENAPI_BUILD
  ? {
      303: redirectAnswer(
        'to returnTo?session=<id>&status=connected|authorised|confirming|failed[&error=<code>][&reason=<code>] (authorised, confirming: a payment kind)',
      ),
      200: {
        description: 'without returnTo: a small HTML page saying what happened',
        content: { 'text/html': { schema: { type: 'string' as const } } },
      },
    }
  : {}

export const callback = new Hono<AppEnv>()
  .get(
    '/',
    describeRoute(
      OPENAPI_BUILD
        ? {
            summary: 'The redirect from the identity server (code flow)',
            tags: ['browser'],
            responses: { ...callbackAnswers, ...errorAnswers(400, 410, 429) },
          }
        : {},
    ),
    rateLimit('CALLBACK_LIMITER'),
    validate('query', object(authorizationResponse)),
    (c) => complete(c, c.req.valid('query')),
  )
  .post(
    '/',
    describeRoute(
      OPENAPI_BUILD
        ? {
            summary: 'The form_post from the identity server (RESPONSE_TYPE=code id_token)',
            tags: ['browser'],
            responses: { ...callbackAnswers, ...errorAnswers(400, 405, 410, 413, 429) },
          }
        : {},
    ),
    rateLimit('CALLBACK_LIMITER'),
    hybridFlowOnly, // the form_post is capped by the app-wide body limit (MAX_BODY_BYTES)
    validate('form', AuthorizationResponseSchema),
    (c) => complete(c, c.req.valid('form')),
  )
  .onError(browserError)
