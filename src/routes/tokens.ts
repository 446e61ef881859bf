/** POST /tokens: client-credentials tokens for the app backend: a registered user's data, or the client's own scopes. */
import { Hono } from 'hono/tiny'
import { describeRoute } from 'hono-openapi'
import * as v from 'valibot'
import { dataToken } from '../data/tokens'
import { requireBackend } from '../http/auth'
import type { AppEnv } from '../http/context'
import { note } from '../http/log'
import { DataTokenSchema, errorAnswers, jsonAnswer } from '../http/openapi'
import { dataScopes, userId } from '../http/schemas'
import { requireJson, validate } from '../http/validation'
import { strictObject } from '../util/valibot'
import { DataTokenCache } from '../storage/dataTokens'

const TokenBody = strictObject({ scopes: dataScopes, userId: v.optional(userId) })

export const tokens = new Hono<AppEnv>().post(
  '/',
  describeRoute(
    OPENAPI_BUILD
      ? {
          summary: "A client-credentials token: a registered user's data scopes (with userId), or client-level scopes (without)",
          tags: ['backend'],
          security: [{ backendKey: [] }],
          responses: { 200: jsonAnswer(DataTokenSchema, 'the token, possibly one handed out before'), ...errorAnswers(400, 401, 415, 502) },
        }
      : {},
  ),
  requireBackend,
  requireJson,
  validate('json', TokenBody),
  async (c) => {
    const config = c.get('config')
    const { token, source } = await dataToken(config, new DataTokenCache(c.env.SESSIONS, config), c.req.valid('json'))
    note(c, 'data_token', 'info', { source, scope: token.scope, userId: c.req.valid('json').userId })
    c.header('cache-control', 'no-store')
    return c.json(token)
  },
)
