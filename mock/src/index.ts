/**
 * The mock identity server Worker. Two issuers, both strict:
 *   {origin}/oidc        — with pushed authorization requests, like Moneyhub today
 *   {origin}/nopar/oidc  — without PAR: request objects by value
 * Moneyhub's payees and payments APIs at each issuer's base (payments.ts),
 * the demo app at / (npm run dev), and, for tests only, GET /__mock/requests: what the mock received (forms of
 * /request and /token), so a test can check exactly what the proxy sent.
 */
import { Hono } from 'hono'
import { clientTokens } from './clientCredentials'
import { demoPage } from './demo'
import { identityApi, madeAtExchange } from './payments'
import { provider } from './provider'
import { accessTokens, recorded, refreshTokens, webhooks } from './state'

const app = new Hono<{ Bindings: Env }>()
  .route('/oidc', provider({ par: true }))
  .route('/nopar/oidc', provider({ par: false }))
  // Moneyhub's own APIs at each issuer's base ({identity}): payees and payments.
  .route('/', identityApi())
  .route('/nopar', identityApi())
  .get('/__mock/requests', (c) => c.json(recorded))
  // For tests: what code exchanges made (payments, standing orders, VRP consents, refunds).
  .get('/__mock/payments', (c) => c.json(madeAtExchange))
  // For tests: the server forgets a client-credentials token, as after a revocation or a restart.
  .delete('/__mock/client-tokens/:token', (c) => c.body(null, clientTokens.delete(c.req.param('token')) ? 204 : 404))
  // A webhook receiver for tests: records what arrives; ?fail_first=N refuses the first N deliveries of each session.
  .post('/__mock/webhooks', async (c) => {
    const body = await c.req.text()
    const failFirst = Number(c.req.query('fail_first') ?? 0)
    const id = (JSON.parse(body) as { id?: string }).id
    const attempts = webhooks.filter((w) => (JSON.parse(w.body) as { id?: string }).id === id).length
    webhooks.push({ at: Date.now(), headers: Object.fromEntries(c.req.raw.headers), body })
    return attempts < failFirst ? c.text('not now', 503) : c.body(null, 204)
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
  .get('/', (c) => c.html(demoPage(c.env.PROXY_ORIGIN)))

export default app
