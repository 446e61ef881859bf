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
 *
 * "Subscribe: up to £5 a month" starts a VRP consent the same way (POST
 * /recurring-payments: at most £5 a payment and £5 a calendar month); then
 * POST /__demo/subscription/pay pays £1 (or £4.50) under it
 * (POST /recurring-payments/:id/pay, one Idempotency-Key per click) and
 * POST /__demo/subscription/cancel revokes it (DELETE /recurring-payments/:id).
 * The page reads the consent itself (GET /recurring-payments/:id, with its secret).
 */
import { Hono } from 'hono'
import { dataApi } from './data'
import { MOCK_BANK_ID } from './oauth'

const SESSION_ID = /^[A-Za-z0-9_-]{22}$/

/** The amounts the demo pays under its subscription: £1, and £4.50 (which the £5 monthly limit refuses after two £1 payments). */
const SUBSCRIPTION_AMOUNTS = new Set([100, 450])

/** Calls the proxy as the app's server, with the backend key; its answer passed to the page as it is. */
async function asBackend(env: Env, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const answer = await fetch(`${env.PROXY_ORIGIN}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${env.DEMO_BACKEND_API_KEY}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const said: Record<string, unknown> = await answer.json<Record<string, unknown>>().catch(() => ({}))
  return { status: answer.status, body: said }
}

export const demoBackend = new Hono<{ Bindings: Env }>()
  .use('/__demo/subscri*', async (c, next) => {
    if (!c.env.DEMO_BACKEND_API_KEY) {
      return c.json({ error: 'not_configured', message: 'the demo backend has no DEMO_BACKEND_API_KEY (npm run dev sets it)' }, 501)
    }
    const attempt = c.req.query('attempt')
    if (attempt !== undefined && !/^[A-Za-z0-9_-]{8,64}$/.test(attempt))
      return c.json({ error: 'invalid_request', message: 'attempt must be 8 to 64 id characters' }, 400)
    const session = c.req.query('session')
    if (session !== undefined && !SESSION_ID.test(session))
      return c.json({ error: 'invalid_request', message: 'session must be a session id' }, 400)
    await next()
  })
  .post('/__demo/subscribe', async (c) => {
    const attempt = c.req.query('attempt') ?? crypto.randomUUID()
    const started = await asBackend(
      c.env,
      'POST',
      '/recurring-payments',
      {
        bankId: MOCK_BANK_ID,
        payee: { name: 'Demo Streaming Ltd', sortCode: '123456', accountNumber: '87654321' },
        reference: 'Demo subscription',
        maximumIndividualAmount: 500,
        periodicLimits: [{ amount: 500, periodType: 'Month', periodAlignment: 'Calendar' }],
        type: ['Other'],
        returnTo: `${new URL(c.req.url).origin}/`,
      },
      { 'idempotency-key': `demo-vrp-${attempt}` },
    )
    if (started.status !== 201)
      return c.json({ error: 'subscription_not_started', message: `the proxy answered ${started.status}`, ...started.body }, 502)
    return c.json({ id: started.body.id, authorizeUrl: started.body.authorizeUrl, secret: started.body.secret }, 201)
  })
  .post('/__demo/subscription/pay', async (c) => {
    const amount = Number(c.req.query('amount'))
    const attempt = c.req.query('attempt')
    if (!SUBSCRIPTION_AMOUNTS.has(amount) || !attempt || !c.req.query('session'))
      return c.json({ error: 'invalid_request', message: 'session, attempt and amount (100 or 450) are required' }, 400)
    const paid = await asBackend(
      c.env,
      'POST',
      `/recurring-payments/${c.req.query('session')}/pay`,
      { amount, payeeRef: 'Demo subscription', payerRef: 'Demo streaming' },
      { 'idempotency-key': `demo-${attempt}` },
    )
    return c.json(paid.body, paid.status as 201)
  })
  .post('/__demo/subscription/cancel', async (c) => {
    if (!c.req.query('session')) return c.json({ error: 'invalid_request', message: 'session is required' }, 400)
    const revoked = await asBackend(c.env, 'DELETE', `/recurring-payments/${c.req.query('session')}`)
    return c.json(revoked.body, revoked.status as 200)
  })
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
