/**
 * The demo app's "backend", for `npm run dev` only: what an app's own server
 * does after a connection, kept beside the demo page because the demo has no
 * server of its own. GET /__demo/accounts?session=<id> takes the token set from
 * the proxy (GET /sessions/:id/tokens, with DEMO_BACKEND_API_KEY = the proxy's
 * BACKEND_API_KEY) and reads the accounts at the data API with its access
 * token. The page gets the accounts, never a token.
 */
import { Hono } from 'hono'
import { dataApi } from './data'

const SESSION_ID = /^[A-Za-z0-9_-]{22}$/

export const demoBackend = new Hono<{ Bindings: Env }>().get('/__demo/accounts', async (c) => {
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
