/**
 * The connect proxy: one Worker that runs the whole "connect a bank account"
 * flow with Moneyhub's identity server.
 *
 *   POST /sessions | GET /connect  → routes/sessions.ts, routes/connect.ts → connection/start.ts
 *   GET /callback                  → routes/callback.ts → connection/complete.ts
 *   GET /sessions/:id[/tokens]     → routes/sessions.ts → storage/sessions.ts
 *   GET /.well-known/jwks.json     → routes/jwks.ts
 */
import { Hono } from 'hono'
import { requestId } from 'hono/request-id'
import { secureHeaders } from 'hono/secure-headers'
import { answerError } from './errors'
import { withConfig, type AppEnv } from './http/context'
import { corsForFrontends } from './http/cors'
import { accessLog } from './http/log'
import { callback } from './routes/callback'
import { connect } from './routes/connect'
import { jwks } from './routes/jwks'
import { sessions } from './routes/sessions'

const app = new Hono<AppEnv>()
  .use(requestId({ limitLength: 64 }), accessLog, secureHeaders())
  .get('/health', (c) => c.json({ status: 'ok' }))
  .use('/sessions/*', withConfig)
  // CORS for the frontend routes only: starting a session and reading its status (never the tokens).
  .use('/sessions', corsForFrontends)
  .use('/sessions/:id', corsForFrontends)
  .use('/connect', withConfig)
  .use('/callback', withConfig)
  .use('/.well-known/*', withConfig)
  .route('/sessions', sessions)
  .route('/connect', connect)
  .route('/callback', callback)
  .route('/.well-known/jwks.json', jwks)
  .notFound((c) => c.json({ error: 'not_found', message: 'no such route' }, 404))
  .onError(answerError)

export type AppType = typeof app
export { SessionCoordinator } from './coordinator'
export default app
