/** GET /banks/health: each bank's counts over the last hour and 24 h (HEALTH_API_KEY, read-only: the counts reveal the app's traffic). */
import { Hono } from 'hono/tiny'
import { describeRoute } from 'hono-openapi'
import { bankHealthReport } from '../health/report'
import { requireHealthKey } from '../http/auth'
import type { AppEnv } from '../http/context'
import { errorAnswers } from '../http/openapi'

export const bankHealth = new Hono<AppEnv>().get(
  '/',
  describeRoute(
    OPENAPI_BUILD
      ? {
          summary:
            'How each bank is doing: counts per stage and error code, success rate, return times, last success (docs/bank-health.md)',
          tags: ['backend'],
          security: [{ healthKey: [] }],
          responses: { 200: { description: 'every bank active in the last 24 h, with its last hour and last 24 h' }, ...errorAnswers(401) },
        }
      : {},
  ),
  requireHealthKey,
  async (c) => {
    c.header('cache-control', 'no-store')
    return c.json(await bankHealthReport(c.env, c.get('config')))
  },
)
