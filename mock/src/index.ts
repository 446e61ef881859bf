/**
 * The mock identity server Worker. Two issuers, both strict:
 *   {origin}/oidc        — with pushed authorization requests, like Moneyhub today
 *   {origin}/nopar/oidc  — without PAR: request objects by value
 * their bank lists ({issuer}/.well-known/<type>-connections), registered users ({origin}/users, {origin}/nopar/users),
 * a data API ({origin}/data/v2.0: accounts, transactions), Moneyhub's payees and payments APIs at each
 * issuer's base (payments.ts), the demo app at / (npm run dev), and, for tests only, GET /__mock/requests: what the mock received (forms of
 * /request and /token), so a test can check exactly what the proxy sent.
 */
import { Hono } from 'hono'
import { appPage } from './appPage'
import { bankLists, failingBankLists } from './bankLists'
import { dataApi } from './data'
import { DEMO_FAVICON, demoPage } from './demo'
import { demoBackend } from './demoBackend'
import { clientTokens } from './clientCredentials'
import { identityApi as paymentsApi, madeAtExchange, paymentsTestApi } from './payments'
import { jwsRequestEndpoint, provider } from './provider'
import { answerRecordAs, isRecordShape } from './recordShapes'
import { recurringPaymentsApi, recurringPaymentsTestApi } from './recurringPayments'
import { identityApi } from './registeredUsers'
import { accessTokens, recorded, refreshTokens, webhookHolds, webhookOutages, webhookRefusals, webhooks } from './state'

const app = new Hono<{ Bindings: Env }>()
  .route('/oidc', provider({ par: true }))
  .route('/nopar/oidc', provider({ par: false }))
  // Reaching the data: the published bank lists, users at the identity base (issuer without /oidc), the data API.
  // Source: moneyhub/moneyhub-api-client src/requests/unauthenticated.ts listConnections & co. ({issuer}/.well-known/<type>-connections).
  .route('/oidc', bankLists('/oidc'))
  .route('/nopar/oidc', bankLists('/nopar/oidc'))
  // Source: moneyhub/moneyhub-api-client src/requests/users-and-connections.ts (usersEndpoint = identityServiceUrl + "/users": the issuer's base).
  .route('/', identityApi())
  .route('/nopar', identityApi())
  // Source: moneyhub/moneyhub-api-client src/get-auth-urls.ts getRequestUri (identityServiceUrl + "/request").
  .route('/', jwsRequestEndpoint())
  .route('/nopar', jwsRequestEndpoint())
  // Assumption (project): the data API (Moneyhub's https://api.moneyhub.co.uk/v2.0) under the mock's own origin.
  .route('/data/v2.0', dataApi())
  // Moneyhub's own APIs at each issuer's base ({identity}): payees and payments.
  .route('/', paymentsApi())
  .route('/nopar', paymentsApi())
  // VRP consents in use: pay under one, revoke it, read it (recurringPayments.ts).
  .route('/', recurringPaymentsApi())
  .route('/nopar', recurringPaymentsApi())
  .route('/__mock', recurringPaymentsTestApi())
  .route('/__mock', paymentsTestApi())
  // For tests: what code exchanges made (payments, standing orders, VRP consents, refunds).
  // Assumption (project): /__mock/* are test hooks with no Moneyhub counterpart.
  .get('/__mock/payments', (c) => c.json(madeAtExchange))
  // For tests: the server forgets a client-credentials token, as after a revocation or a restart.
  .delete('/__mock/client-tokens/:token', (c) => c.body(null, clientTokens.delete(c.req.param('token')) ? 204 : 404))
  // For tests: make one issuer's bank lists (or one list, &type=) fail (?issuer=/nopar/oidc&fail=1), or recover (fail=0).
  .post('/__mock/bank-lists', (c) => {
    const issuer = c.req.query('issuer') ?? '/oidc'
    const failing = c.req.query('type') ? `${issuer} ${c.req.query('type')}` : issuer
    if (c.req.query('fail') === '1') failingBankLists.add(failing)
    else failingBankLists.delete(failing)
    return c.body(null, 204)
  })
  // For tests: answer one record (its id, a payee's externalId, a user's clientUserId) in another shape (recordShapes.ts).
  .post('/__mock/record-shape', (c) => {
    const [key, shape] = [c.req.query('key'), c.req.query('shape')]
    if (!key || !isRecordShape(shape)) return c.text('key and shape=bare|data|list', 400)
    answerRecordAs(key, shape)
    return c.body(null, 204)
  })
  .get('/__mock/requests', (c) => c.json(recorded))
  // A webhook receiver for tests: records what arrives and what it answered; ?redirect=1 records nothing and redirects
  // (307, which keeps the POST) to the plain receiver.
  .post('/__mock/webhooks', async (c) => {
    if (c.req.query('redirect')) return c.redirect('/__mock/webhooks', 307)
    const body = await c.req.text()
    const id = (JSON.parse(body) as { id?: string }).id ?? ''
    const hold = webhookHolds.get(id)
    if (hold?.count) {
      // Held: recorded on arrival as `answered: 0`, answered (503) only after `ms`, so the sender's attempt outlives what the test does meanwhile.
      webhookHolds.set(id, { ...hold, count: hold.count - 1 })
      webhooks.push({ at: Date.now(), headers: Object.fromEntries(c.req.raw.headers), body, answered: 0 })
      await new Promise((resolve) => setTimeout(resolve, hold.ms))
      return c.text('held', 503)
    }
    const refusals = webhookRefusals.get(id) ?? 0
    if (refusals) webhookRefusals.set(id, refusals - 1)
    const down = refusals > 0 || (webhookOutages.get(id) ?? 0) > Date.now()
    webhooks.push({ at: Date.now(), headers: Object.fromEntries(c.req.raw.headers), body, answered: down ? 503 : 204 })
    return down ? c.text('not now', 503) : c.body(null, 204)
  })
  // The receiver down for one session's events (?id=) for ?ms= milliseconds: a backend being deployed.
  .post('/__mock/webhooks/outage', (c) => {
    webhookOutages.set(c.req.query('id') ?? '', Date.now() + Number(c.req.query('ms') ?? 0))
    return c.body(null, 204)
  })
  // The receiver refuses (503) the next ?count= deliveries of one session's events (?id=).
  .post('/__mock/webhooks/refuse', (c) => {
    webhookRefusals.set(c.req.query('id') ?? '', Number(c.req.query('count') ?? 1))
    return c.body(null, 204)
  })
  // The receiver holds the next ?count= deliveries of one session's events (?id=) unanswered for ?ms=, then answers 503
  // (recorded on arrival, with `answered: 0`).
  .post('/__mock/webhooks/hold', (c) => {
    webhookHolds.set(c.req.query('id') ?? '', { count: Number(c.req.query('count') ?? 1), ms: Number(c.req.query('ms') ?? 30_000) })
    return c.body(null, 204)
  })
  .get('/__mock/webhooks', (c) => c.json(webhooks))
  // For tests: revoke a grant as if the user withdrew consent at Moneyhub.
  .post('/__mock/revoke', async (c) => {
    const token = new URLSearchParams(await c.req.text()).get('token') ?? ''
    const grant = refreshTokens.get(token)?.grant ?? accessTokens.get(token)
    if (!grant) return c.text('unknown token', 404)
    grant.revoked = true
    return c.body(null, 204)
  })
  .route('/', demoBackend)
  .get('/', (c) => c.html(demoPage(c.env.PROXY_ORIGIN)))
  // An app page that loads the browser helper from the proxy (GET /client.js), as an app's own page would.
  .get('/app', (c) => c.html(appPage(c.env.PROXY_ORIGIN)))
  .get('/favicon.ico', (c) => c.body(DEMO_FAVICON, 200, { 'content-type': 'image/svg+xml', 'cache-control': 'public, max-age=86400' }))

export default app
