/**
 * The mock identity server Worker. Two issuers, both strict:
 *   {origin}/oidc        — with pushed authorization requests, like Moneyhub today
 *   {origin}/nopar/oidc  — without PAR: request objects by value
 * the demo app at / (npm run dev), and, for tests only, GET /__mock/requests: what the mock received (forms of
 * /request and /token), so a test can check exactly what the proxy sent.
 */
import { Hono } from 'hono'
import { demoPage } from './demo'
import { provider } from './provider'
import { recorded } from './state'

const app = new Hono<{ Bindings: Env }>()
  .route('/oidc', provider({ par: true }))
  .route('/nopar/oidc', provider({ par: false }))
  .get('/__mock/requests', (c) => c.json(recorded))
  .get('/', (c) => c.html(demoPage(c.env.PROXY_ORIGIN)))

export default app
