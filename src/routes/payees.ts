/** POST /payees: the accounts payments go to, made at Moneyhub (backend only); GET /payees is a list (routes/lists.ts). */
import { Hono } from 'hono/tiny'
import { describeRoute } from 'hono-openapi'
import { requireBackend } from '../http/auth'
import type { AppEnv } from '../http/context'
import { note } from '../http/log'
import { errorAnswers, jsonAnswer } from '../http/openapi'
import { requireJson, validate } from '../http/validation'
import { createPayee, NewPayee, StoredPayee } from '../payments/payees'

export const payees = new Hono<AppEnv>().post(
  '/',
  describeRoute(
    OPENAPI_BUILD
      ? {
          summary: 'Add a payee at Moneyhub (client credentials, scope payee:create)',
          tags: ['payments'],
          security: [{ backendKey: [] }],
          responses: { 201: jsonAnswer(StoredPayee, 'the payee; use its id as payeeId'), ...errorAnswers(400, 401, 415, 502) },
        }
      : {},
  ),
  requireBackend,
  requireJson,
  validate('json', NewPayee),
  async (c) => {
    const payee = await createPayee(c.get('config'), c.req.valid('json'))
    note(c, 'payee_created', 'info', { payeeId: payee.id })
    return c.json(payee, 201)
  },
)
