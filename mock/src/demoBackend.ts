/**
 * The demo app's "backend", for `npm run dev` only: what an app's own server
 * does after a connection, kept beside the demo page because the demo has no
 * server of its own. GET /__demo/accounts?session=<id> takes the token set from
 * the proxy (GET /sessions/:id/tokens, with DEMO_BACKEND_API_KEY = the proxy's
 * BACKEND_API_KEY) and reads the accounts at the data API with its access
 * token. The page gets the accounts, never a token.
 *
 * POST /__demo/pay starts "pay £1.50" the way an app's server would: POST
 * /payments at the proxy with the backend key (and an Idempotency-Key, so a
 * double click pays once), answering the page with the session's id, its
 * authorizeUrl and the secret that lets the page read GET /payments/:id.
 */
import { Hono } from 'hono'
import { dataApi } from './data'
import { MOCK_BANK_ID } from './oauth'

const SESSION_ID = /^[A-Za-z0-9_-]{22}$/

export const demoBackend = new Hono<{ Bindings: Env }>()
  .post('/__demo/pay', async (c) => {
    if (!c.env.DEMO_BACKEND_API_KEY) {
      return c.json({ error: 'not_configured', message: 'the demo backend has no DEMO_BACKEND_API_KEY (npm run dev sets it)' }, 501)
    }
    // The page names its attempt; the same attempt posted twice is one payment.
    const attempt = c.req.query('attempt') ?? ''
    if (!/^[A-Za-z0-9_-]{8,64}$/.test(attempt))
      return c.json({ error: 'invalid_request', message: 'attempt must be 8 to 64 id characters' }, 400)
    const origin = new URL(c.req.url).origin
    const started = await fetch(`${c.env.PROXY_ORIGIN}/payments`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${c.env.DEMO_BACKEND_API_KEY}`,
        'content-type': 'application/json',
        'idempotency-key': `demo-${attempt}`,
      },
      body: JSON.stringify({
        bankId: MOCK_BANK_ID,
        amount: 150,
        payee: { name: 'Demo Coffee Shop', sortCode: '123456', accountNumber: '12345678' },
        payeeRef: `Coffee ${attempt.slice(0, 8)}`,
        payerRef: 'Demo coffee',
        returnTo: `${origin}/`,
      }),
    })
    const body: Record<string, unknown> = await started.json<Record<string, unknown>>().catch(() => ({}))
    if (started.status !== 201)
      return c.json({ error: 'payment_not_started', message: `the proxy answered ${started.status}`, ...body }, 502)
    return c.json({ id: body.id, authorizeUrl: body.authorizeUrl, secret: body.secret }, 201)
  })
  .get('/__demo/accounts', async (c) => {
    const session = c.req.query('session') ?? ''
    if (!SESSION_ID.test(session)) return c.json({ error: 'invalid_request', message: 'session must be a session id' }, 400)
    if (!c.env.DEMO_BACKEND_API_KEY) {
      return c.json({ error: 'not_configured', message: 'the demo backend has no DEMO_BACKEND_API_KEY (npm run dev sets it)' }, 501)
    }
    const tokens = await fetch(`${c.env.PROXY_ORIGIN}/sessions/${session}/tokens`, {
      headers: { authorization: `Bearer ${c.env.DEMO_BACKEND_API_KEY}` },
    })
    if (!tokens.ok) return c.json({ error: 'no_tokens', message: `the proxy answered ${tokens.status} for the tokens` }, 502)
    const { access_token } = await tokens.json<{ access_token: string }>()
    // The data API in this same Worker, called in-process: the same token checks as over HTTP.
    const accounts = await dataApi().request('/accounts', { headers: { authorization: `Bearer ${access_token}` } })
    return c.json(await accounts.json(), accounts.status as 200)
  })
