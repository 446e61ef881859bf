/** GET /dashboard: how each bank is doing, as a page (health/dashboardPage.ts); its data needs the backend key, the page itself none. */
import { Hono } from 'hono'
import { describeRoute } from 'hono-openapi'
import { randomToken } from '../encoding'
import { dashboardCsp, dashboardPage } from '../health/dashboardPage'
import type { AppEnv } from '../http/context'

export const dashboard = new Hono<AppEnv>().get(
  '/dashboard',
  describeRoute({
    summary: 'A live page of every bank: mark, funnel, errors over 24 h (reads GET /banks/health with the backend key it asks for)',
    tags: ['backend'],
    responses: { 200: { description: 'an HTML page' } },
  }),
  (c) => {
    const nonce = randomToken(16)
    c.header('content-security-policy', dashboardCsp(nonce))
    c.header('cache-control', 'no-store')
    return c.html(dashboardPage(nonce))
  },
)
