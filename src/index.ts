/**
 * The connect proxy: one Worker that runs the whole "connect a bank account"
 * flow with Moneyhub's identity server.
 *
 *   POST /sessions, GET /connect          → routes/sessions.ts, routes/connect.ts → connection/start.ts
 *   GET /sessions/:id/authorize           → routes/sessions.ts → connection/start.ts (launch)
 *   GET|POST /callback                    → routes/callback.ts → connection/complete.ts
 *   GET /sessions/:id[/events]            → routes/sessions.ts → storage/sessions.ts
 *   GET /sessions/:id/tokens              → routes/sessions.ts → storage/sessions.ts
 *   POST /sessions/:id/refresh, DELETE    → routes/sessions.ts → coordinator.ts → connection/refresh.ts, revoke.ts
 *   POST|GET /payees                      → routes/payees.ts → payments/payees.ts (client credentials)
 *   GET /.well-known/jwks.json            → routes/jwks.ts
 *   GET /openapi.json, GET /health        → here
 */
import { Hono } from 'hono'
import { describeRoute, openAPIRouteHandler } from 'hono-openapi'
import { requestId } from 'hono/request-id'
import { secureHeaders } from 'hono/secure-headers'
import { answerError } from './errors'
import { withConfig, type AppEnv } from './http/context'
import { corsForFrontends } from './http/cors'
import { accessLog } from './http/log'
import { HealthSchema, jsonAnswer } from './http/openapi'
import { callback } from './routes/callback'
import { connect } from './routes/connect'
import { jwks } from './routes/jwks'
import { payees } from './routes/payees'
import { sessions } from './routes/sessions'

const api = new Hono<AppEnv>()
  .use(requestId({ limitLength: 64 }), accessLog, secureHeaders())
  .get('/health', describeRoute({ summary: 'Liveness', tags: ['public'], responses: { 200: jsonAnswer(HealthSchema, 'alive') } }), (c) =>
    c.json({ status: 'ok' as const }),
  )
  .use('/sessions/*', withConfig)
  // CORS for the frontend routes only: starting a session and reading its status, at once or as events (never the tokens).
  .use('/sessions', corsForFrontends)
  .use('/sessions/:id', corsForFrontends)
  .use('/sessions/:id/events', corsForFrontends)
  .use('/connect', withConfig)
  .use('/callback', withConfig)
  .use('/.well-known/*', withConfig)
  .use('/payees', withConfig)
  .route('/sessions', sessions)
  .route('/connect', connect)
  .route('/callback', callback)
  .route('/payees', payees)
  .route('/', jwks)

/** The API's routes, for `hc<AppType>()` from hono/client. */
export type AppType = typeof api

const app = api
  .get(
    '/openapi.json',
    openAPIRouteHandler(api, {
      // /.well-known/jwks.json looks like a file to hono-openapi; it is a route.
      excludeStaticFile: false,
      documentation: {
        info: {
          title: 'Moneyhub edge connect proxy',
          version: '1',
          description: 'Connect a bank account through Moneyhub Open Banking, at the edge.',
        },
        components: { securitySchemes: { backendKey: { type: 'http', scheme: 'bearer', description: 'BACKEND_API_KEY' } } },
      },
    }),
  )
  .notFound((c) => c.json({ error: 'not_found', message: 'no such route' }, 404))
  .onError(answerError)

export { SessionCoordinator } from './coordinator'
export default app
