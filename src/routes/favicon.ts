/**
 * GET /favicon.ico: browsers ask for it on every page this Worker serves (the
 * callback's result page); a small icon instead of a 404 in every console.
 */
import { Hono } from 'hono/tiny'
import { describeRoute } from 'hono-openapi'
import type { AppEnv } from '../http/context'

export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1d4ed8"/><path d="M4 8h8M8 4v8" stroke="#fff" stroke-width="2"/></svg>'

export const favicon = new Hono<AppEnv>().get(
  '/favicon.ico',
  describeRoute(
    OPENAPI_BUILD
      ? {
          summary: "The Worker's icon (browsers ask for it on every page it serves)",
          tags: ['public'],
          responses: { 200: { description: 'an SVG image' } },
        }
      : {},
  ),
  (c) => c.body(FAVICON_SVG, 200, { 'content-type': 'image/svg+xml', 'cache-control': 'public, max-age=86400' }),
)
