/**
 * GET /dashboard: how each bank is doing, as a page (public/dashboard.html, a static asset with its CSP in
 * public/_headers); its data needs the backend key, the page itself none.
 */
import { Hono } from 'hono/tiny'
import { describeRoute } from 'hono-openapi'
import type { AppEnv } from '../http/context'

export const dashboard = new Hono<AppEnv>().get(
  '/dashboard',
  describeRoute(
    OPENAPI_BUILD
      ? {
          summary: 'A live page of every bank: mark, funnel, errors over 24 h (reads GET /banks/health with the backend key it asks for)',
          tags: ['backend'],
          responses: { 200: { description: 'an HTML page' } },
        }
      : {},
  ),
  // On Cloudflare and under wrangler dev the asset is served before the Worker runs; this answers only where a caller
  // reaches the Worker itself (the tests), as GET /openapi.json does.
  async (c) => {
    const asset = await c.env.ASSETS.fetch(c.req.raw)
    return new Response(asset.body, asset) // mutable headers, for the middleware
  },
)
