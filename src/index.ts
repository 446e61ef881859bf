/**
 * The connect proxy: one Worker that runs the whole "connect a bank account"
 * flow with Moneyhub's identity server.
 *
 *   POST /sessions, GET /connect          → routes/sessions.ts, routes/connect.ts → connection/start.ts
 *   GET /sessions/:id/authorize           → routes/authorize.ts → coordinator.ts (launch) → connection/start.ts
 *   GET|POST /callback                    → routes/callback.ts → coordinator.ts (complete) → connection/complete.ts
 *   GET /sessions/:id[/events]            → routes/sessions.ts → storage/sessions.ts, coordinator.ts (watch)
 *   GET /sessions/:id/tokens              → routes/sessions.ts → storage/sessions.ts
 *   POST /sessions/:id/refresh, DELETE    → routes/sessions.ts → coordinator.ts → connection/refresh.ts, revoke.ts
 *   POST /users, GET|DELETE /users/:id    → routes/users.ts → users/registeredUsers.ts
 *   POST /tokens                          → routes/tokens.ts → data/tokens.ts, data/scopes.ts → storage/dataTokens.ts
 *   GET /banks                            → routes/banks.ts → storage/bankLists.ts → banks/bankList.ts
 *   POST|GET /payees                      → routes/payees.ts → payments/payees.ts (client credentials)
 *   POST /payments, /standing-orders,     → routes/payments.ts → payments/start.ts → connection/start.ts (a payment kind),
 *     /recurring-payments, /payments/:id/reverse    coordinator.ts (create, with an Idempotency-Key)
 *   GET /payments/:id[/events]            → routes/payments.ts → payments/status.ts, coordinator.ts (watch)
 *   GET /.well-known/jwks.json            → routes/jwks.ts
 *   GET /client.js, GET /favicon.ico      → routes/clientScript.ts, routes/favicon.ts (static, no config)
 *   GET /openapi.json, GET /health        → here (the document is built by npm run build:openapi)
 */
import { Hono } from 'hono'
import { describeRoute } from 'hono-openapi'
import { secureHeaders } from 'hono/secure-headers'
import { answerError } from './errors'
import { withConfig, type AppEnv } from './http/context'
import { corsForBankList, corsForFrontends, readableFromAnyOrigin } from './http/cors'
import { limitBody, MAX_BODY_BYTES } from './http/bodyLimit'
import { accessLog, requestIds } from './http/log'
import { HealthSchema, jsonAnswer } from './http/openapi'
import { OPENAPI_JSON } from './http/openapiDocument.generated'
import { authorize } from './routes/authorize'
import { banks } from './routes/banks'
import { callback } from './routes/callback'
import { clientScript } from './routes/clientScript'
import { connect } from './routes/connect'
import { favicon } from './routes/favicon'
import { jwks } from './routes/jwks'
import { payees } from './routes/payees'
import { payments, recurringPayments, standingOrders } from './routes/payments'
import { sessions } from './routes/sessions'
import { tokens } from './routes/tokens'
import { users } from './routes/users'

const api = new Hono<AppEnv>()
  .use('/openapi.json', readableFromAnyOrigin)
  // Nothing here is framed (the result page also says frame-ancestors 'none'); no route reads a body over 32 KB.
  .use(requestIds, accessLog, secureHeaders({ xFrameOptions: 'DENY' }), limitBody(MAX_BODY_BYTES))
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
  .route('/sessions/:id/authorize', authorize)
  .use('/users/*', withConfig)
  .use('/tokens', withConfig)
  .use('/banks', withConfig, corsForBankList)
  .use('/payees', withConfig)
  .use('/payments/*', withConfig)
  .use('/standing-orders', withConfig)
  .use('/recurring-payments', withConfig)
  // A page the backend gave the session secret may read a payment's status, as for sessions.
  .use('/payments/:id', corsForFrontends)
  .use('/payments/:id/events', corsForFrontends)
  .route('/sessions', sessions)
  .route('/connect', connect)
  .route('/callback', callback)
  .route('/users', users)
  .route('/tokens', tokens)
  .route('/banks', banks)
  .route('/payees', payees)
  .route('/payments', payments)
  .route('/standing-orders', standingOrders)
  .route('/recurring-payments', recurringPayments)
  .route('/', jwks)
  .route('/', clientScript)
  .route('/', favicon)

/** The API's routes, for `hc<AppType>()` from hono/client. */
export type AppType = typeof api

const app = api
  // Built in Node from the routes' describeRoute and validators (npm run build:openapi): the converter stays out of the Worker.
  .get('/openapi.json', (c) => c.body(OPENAPI_JSON, 200, { 'content-type': 'application/json' }))
  .notFound((c) => c.json({ error: 'not_found', message: 'no such route' }, 404))
  .onError(answerError)

export { ClientGate } from './clientGate'
export { SessionCoordinator } from './coordinator'
export default app
