/**
 * The connect proxy: one Worker that runs the whole "connect a bank account"
 * flow with Moneyhub's identity server.
 *
 *   POST /sessions, GET /connect          → routes/sessions.ts, routes/connect.ts → session/start.ts
 *   GET /sessions/:id/authorize           → routes/authorize.ts → objects/sessionCoordinator.ts (launch) → session/start.ts
 *   GET|POST /callback                    → routes/callback.ts → objects/sessionCoordinator.ts (complete) → session/complete.ts
 *   GET /sessions/:id[/events]            → routes/sessions.ts → storage/sessions.ts, objects/sessionCoordinator.ts (watch)
 *   GET /sessions/:id/tokens              → routes/sessions.ts → storage/sessions.ts
 *   POST /sessions/:id/refresh, DELETE    → routes/sessions.ts → objects/sessionCoordinator.ts → session/refresh.ts, revoke.ts
 *   POST /users, GET|DELETE /users/:id    → routes/users.ts → users/registeredUsers.ts
 *   POST /tokens                          → routes/tokens.ts → data/tokens.ts, data/scopes.ts → storage/dataTokens.ts
 *   GET /banks                            → routes/banks.ts → storage/bankLists.ts → banks/bankList.ts, health/marks.ts
 *   GET /banks/health, GET /dashboard     → routes/health.ts, routes/dashboard.ts → health/ (counted by health/count.ts)
 *   POST /payees                          → routes/payees.ts → payments/payees.ts (client credentials)
 *   GET /payees, /payments, /standing-orders, /recurring-payments
 *                                         → routes/lists.ts → payments/lists.ts (client credentials, one page)
 *   POST /payments, /standing-orders,     → routes/payments.ts → payments/start.ts → session/start.ts (a payment kind),
 *     /recurring-payments, /payments/:id/reverse    objects/sessionCoordinator.ts (create, with an Idempotency-Key)
 *   GET /payments/:id[/events]            → routes/payments.ts → payments/status.ts, objects/sessionCoordinator.ts (watch)
 *   POST /recurring-payments/:id/pay,     → routes/recurringPayments.ts → objects/sessionCoordinator.ts → payments/recurring.ts
 *     DELETE|GET /recurring-payments/:id[/events]    (pay, revoke, read a VRP consent; client credentials)
 *   GET /unresolved-sessions,           → routes/unresolvedSessions.ts → storage/unresolved.ts; objects/sessionCoordinator.ts (settle)
 *   POST /unresolved-sessions/:id/settle   → payments/settle.ts
 *   GET /.well-known/jwks.json            → routes/jwks.ts
 *   GET /client.js, GET /favicon.ico      → routes/clientScript.ts, routes/favicon.ts (static, no config)
 *   GET /openapi.json, GET /health        → here (the document is built by npm run build:openapi)
 *   queue moneyhub-edge-connect-webhooks  → session/webhookRetries.ts (a refused webhook, tried again)
 */
import { Hono } from 'hono/tiny'
import { describeRoute } from 'hono-openapi'
import { secureHeaders } from 'hono/secure-headers'
import { retryWebhooks, type QueuedWebhook } from './session/webhookRetries'
import { ERRORS } from './errors'
import { answerError } from './http/answerError'
import { withConfig, type AppEnv } from './http/context'
import { corsForBankList, corsForFrontends, readableFromAnyOrigin } from './http/cors'
import { limitBody, MAX_BODY_BYTES } from './http/bodyLimit'
import { accessLog, requestIds } from './http/log'
import { HealthSchema, jsonAnswer } from './http/openapi'
import { authorize } from './routes/authorize'
import { banks } from './routes/banks'
import { callback } from './routes/callback'
import { clientScript } from './routes/clientScript'
import { connect } from './routes/connect'
import { dashboard } from './routes/dashboard'
import { favicon } from './routes/favicon'
import { bankHealth } from './routes/health'
import { jwks } from './routes/jwks'
import { payeeList, paymentList, recurringPaymentList, standingOrderList } from './routes/lists'
import { payees } from './routes/payees'
import { payments, recurringPayments, standingOrders } from './routes/payments'
import { recurringPaymentConsents } from './routes/recurringPayments'
import { sessions } from './routes/sessions'
import { tokens } from './routes/tokens'
import { unresolvedSessions } from './routes/unresolvedSessions'
import { users } from './routes/users'

const api = new Hono<AppEnv>()
  .use('/openapi.json', readableFromAnyOrigin)
  // Nothing here is framed (the result page also says frame-ancestors 'none'); no route reads a body over 32 KB.
  .use(requestIds, accessLog, secureHeaders({ xFrameOptions: 'DENY' }), limitBody(MAX_BODY_BYTES))
  .get(
    '/health',
    describeRoute(OPENAPI_BUILD ? { summary: 'Liveness', tags: ['public'], responses: { 200: jsonAnswer(HealthSchema, 'alive') } } : {}),
    (c) => c.json({ status: 'ok' as const }),
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
  .use('/banks/health', withConfig)
  .use('/payees', withConfig)
  .use('/payments/*', withConfig)
  .use('/standing-orders', withConfig)
  .use('/recurring-payments', withConfig)
  .use('/recurring-payments/:id', withConfig)
  .use('/recurring-payments/:id/*', withConfig)
  .use('/unresolved-sessions', withConfig)
  .use('/unresolved-sessions/*', withConfig)
  // A page the backend gave the session secret may read a payment's status, as for sessions.
  .use('/payments/:id', corsForFrontends)
  .use('/payments/:id/events', corsForFrontends)
  .use('/recurring-payments/:id', corsForFrontends)
  .use('/recurring-payments/:id/events', corsForFrontends)
  .route('/sessions', sessions)
  .route('/connect', connect)
  .route('/callback', callback)
  .route('/users', users)
  .route('/tokens', tokens)
  .route('/banks/health', bankHealth)
  .route('/banks', banks)
  .route('/payees', payees)
  .route('/payments', payments)
  .route('/standing-orders', standingOrders)
  .route('/recurring-payments', recurringPayments)
  .route('/payees', payeeList)
  .route('/payments', paymentList)
  .route('/standing-orders', standingOrderList)
  .route('/recurring-payments', recurringPaymentList)
  .route('/recurring-payments', recurringPaymentConsents)
  .route('/unresolved-sessions', unresolvedSessions)
  .route('/', jwks)
  .route('/', clientScript)
  .route('/', favicon)
  .route('/', dashboard)

/** The API's routes, for `hc<AppType>()` from hono/client. */
export type AppType = typeof api

const app = api
  // A static asset (public/openapi.json, built by npm run build:openapi): on Cloudflare and under wrangler dev the asset
  // is served before the Worker runs; this route answers only where a caller reaches the Worker itself (the tests).
  .get('/openapi.json', async (c) => {
    const asset = await c.env.ASSETS.fetch(c.req.raw)
    return new Response(asset.body, asset) // mutable headers, for the middleware
  })
  .notFound((c) => c.json({ error: 'not_found', message: 'no such route' }, ERRORS.not_found))
  .onError(answerError)

export { ClientGate } from './objects/clientGate'
export { SessionCoordinator } from './objects/sessionCoordinator'
export { BankHealth } from './objects/bankHealth'
export { RefundLedger } from './objects/refundLedger'
export { MoneyhubIdIndex } from './objects/moneyhubIdIndex'
/** The API, and the consumer of the webhook retry queue (session/webhookRetries.ts). */
export default Object.assign(app, { queue: retryWebhooks } satisfies ExportedHandler<Env, QueuedWebhook>)
