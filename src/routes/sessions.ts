/**
 * /sessions: start a connection, open it in the browser, read its status
 * (at once, long-polled, or as Server-Sent Events), and — backend only — read,
 * refresh and delete its tokens.
 */
import { Hono, type Context } from 'hono'
import { describeRoute } from 'hono-openapi'
import { streamSSE } from 'hono/streaming'
import * as z from 'zod/mini'
import { FlowError } from '../connection/errors'
import { CATEGORY_TYPES } from '../connection/moneyhub'
import { createSession, launchSession } from '../connection/start'
import { checkScopesForIssuer } from '../data/scopes'
import { coordinatorOf, type Outcome } from '../coordinator'
import { ApiError } from '../errors'
import { backendOrBrowser, requireBackend } from '../http/auth'
import { setBrowserBinding } from '../http/browserBinding'
import type { AppEnv } from '../http/context'
import { note } from '../http/log'
import { DeletedSchema, errorAnswers, jsonAnswer, redirectAnswer, SessionSchema, StartedSchema, TokenSetSchema } from '../http/openapi'
import { rateLimit } from '../http/rateLimit'
import { action, bankId, connectionId, consent, dataScopes, returnTo, SessionIdParam, userId } from '../http/schemas'
import { checkedReturnTo } from '../http/urls'
import { requireJson, validate } from '../http/validation'
import { nowSeconds, publicSession, type Session } from '../storage/sessions'

export const StartSessionBody = z
  .partial(
    z.strictObject({
      bankId,
      returnTo,
      userId,
      connectionId,
      action,
      offlineAccess: z.boolean(),
      consent,
      enableAsync: z.boolean(),
      accountVerification: z.boolean(),
      dataScopes,
      categoryType: z.enum(CATEGORY_TYPES),
    }),
  )
  .check(
    z.refine((b) => !b.action || !b.dataScopes?.length, { message: 'dataScopes cannot go with an action (only openid goes beside it)' }),
    z.refine((b) => !b.action || Boolean(b.userId && b.connectionId && !b.bankId), {
      message: 'action needs userId and connectionId, and no bankId',
    }),
    z.refine((b) => !b.connectionId || Boolean(b.action), { message: 'connectionId needs an action (reauth, reconsent or refresh)' }),
  )

/** Long-polling waits at most this long (GET /sessions/:id?wait=N). */
export const MAX_WAIT_S = 25
/** How often a waiting request looks at the session again. */
const POLL_MS = 1_000
/** An event stream ends after this long even if the session is still pending. */
const MAX_STREAM_S = 600

const StatusQuery = z.strictObject({ wait: z.optional(z.coerce.number().check(z.int(), z.gte(0), z.lte(MAX_WAIT_S))) })
const LaunchQuery = z.object({ ticket: z.string().check(z.minLength(1), z.maxLength(4096)) })

const notFound = () => new FlowError('not_found', 'session_not_found', 'no session has this id (it may have expired)')
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The session's status now; a record whose tokens are spent is scrubbed in the background. */
async function readStatus(c: Context<AppEnv>, id: string): Promise<Session | undefined> {
  const store = c.get('store')
  const record = await store.getForStatus(id)
  if (!record) return undefined
  const session = publicSession(record)
  if (session.status === 'expired' && record.sealed) c.executionCtx.waitUntil(store.scrubIfExpired(record))
  return session
}

/** The coordinator's answer, or its error thrown again on this side of the RPC boundary. */
function unwrap<O extends Outcome<object>>(outcome: O): Extract<O, { ok: true }> {
  if (!outcome.ok) throw new FlowError(outcome.kind, outcome.code, outcome.message)
  return outcome as Extract<O, { ok: true }>
}

export const sessions = new Hono<AppEnv>()
  .post(
    '/',
    describeRoute({
      summary: 'Start a connection',
      tags: ['sessions'],
      responses: {
        201: jsonAnswer(StartedSchema, 'the session; send the browser to authorizeUrl'),
        ...errorAnswers(400, 401, 403, 415, 429),
      },
    }),
    rateLimit('START_LIMITER'),
    requireJson,
    validate('json', StartSessionBody),
    async (c) => {
      const body = c.req.valid('json')
      const caller = await backendOrBrowser(c)
      if (caller === 'browser' && (body.userId || body.connectionId || body.offlineAccess)) {
        throw new ApiError(
          403,
          'backend_only',
          'only the app backend may act for an existing user or connection, or ask for offline access',
        )
      }
      const config = c.get('config')
      const returnTo = checkedReturnTo(body.returnTo, config.allowedOrigins)
      if (body.dataScopes) body.dataScopes = await checkScopesForIssuer(config, body.dataScopes, 'connection')
      const { record, sealedTicket } = await createSession(config, c.get('store'), { ...body, ...(returnTo ? { returnTo } : {}) })
      note(c, 'session_created', 'info', { sessionId: record.id, caller, scope: record.requestedScope })
      // The browser goes through this Worker first (on the callback's host, so the binding cookie reaches /callback).
      const authorizeUrl = new URL(`/sessions/${record.id}/authorize`, config.redirectUri)
      authorizeUrl.searchParams.set('ticket', sealedTicket)
      return c.json(
        {
          id: record.id,
          authorizeUrl: authorizeUrl.href,
          statusUrl: new URL(`/sessions/${record.id}`, c.req.url).href,
          expiresAt: record.expiresAt,
        },
        201,
      )
    },
  )

  .get(
    '/:id',
    describeRoute({
      summary: 'The status of a session, at once or long-polled (?wait=N)',
      tags: ['sessions'],
      responses: { 200: jsonAnswer(SessionSchema, 'the status; never a token'), ...errorAnswers(400, 404) },
    }),
    validate('param', SessionIdParam),
    validate('query', StatusQuery),
    async (c) => {
      const { id } = c.req.valid('param')
      const deadline = Date.now() + (c.req.valid('query').wait ?? 0) * 1000
      let session = await readStatus(c, id)
      while (session?.status === 'pending' && Date.now() < deadline) {
        await sleep(Math.min(POLL_MS, deadline - Date.now()))
        session = await readStatus(c, id)
      }
      if (!session) throw notFound()
      c.header('cache-control', 'no-store')
      return c.json(session)
    },
  )

  .get(
    '/:id/events',
    describeRoute({
      summary: 'The status of a session as Server-Sent Events, until it is final',
      tags: ['sessions'],
      responses: {
        200: {
          description: 'text/event-stream of `status` events (Session JSON)',
          content: { 'text/event-stream': { schema: { type: 'string' } } },
        },
        ...errorAnswers(400, 404),
      },
    }),
    validate('param', SessionIdParam),
    async (c) => {
      const { id } = c.req.valid('param')
      const first = await readStatus(c, id)
      if (!first) throw notFound()
      c.header('cache-control', 'no-store')
      return streamSSE(c, async (stream) => {
        let last = ''
        const until = Date.now() + MAX_STREAM_S * 1000
        let session: Session | undefined = first
        while (session && !stream.aborted && Date.now() < until) {
          const data = JSON.stringify(session)
          if (data !== last) {
            await stream.writeSSE({ event: 'status', data })
            last = data
          }
          if (session.status !== 'pending') return // a final state: the stream ends
          await stream.sleep(POLL_MS)
          session = await readStatus(c, id)
        }
        if (!session) await stream.writeSSE({ event: 'gone', data: JSON.stringify({ id }) })
      })
    },
  )

  .get(
    '/:id/authorize',
    describeRoute({
      summary: 'The authorizeUrl: bind this browser and go to the identity server',
      tags: ['browser'],
      responses: { 303: redirectAnswer("to Moneyhub's authorisation endpoint"), ...errorAnswers(400, 410, 429, 502) },
    }),
    rateLimit('START_LIMITER'),
    validate('param', SessionIdParam),
    validate('query', LaunchQuery),
    async (c) => {
      const { id } = c.req.valid('param')
      const { authorizeUrl, browserKey, expiresAt } = await launchSession(c.get('config'), id, c.req.valid('query').ticket)
      setBrowserBinding(c, id, browserKey, expiresAt - nowSeconds())
      c.header('cache-control', 'no-store')
      return c.redirect(authorizeUrl, 303)
    },
  )

  .get(
    '/:id/tokens',
    describeRoute({
      summary: 'The token set (app backend only)',
      tags: ['backend'],
      security: [{ backendKey: [] }],
      responses: { 200: jsonAnswer(TokenSetSchema, 'the token set'), ...errorAnswers(400, 401, 404, 409, 410) },
    }),
    requireBackend,
    validate('param', SessionIdParam),
    async (c) => {
      const store = c.get('store')
      const record = await store.get(c.req.valid('param').id)
      if (!record) throw notFound()
      const view = publicSession(record)
      if (view.status === 'expired') {
        if (record.sealed) c.executionCtx.waitUntil(store.scrubIfExpired(record))
        throw new FlowError('gone', 'session_expired', 'the tokens have expired and cannot be refreshed')
      }
      if (view.status !== 'connected') throw new FlowError('conflict', 'session_not_connected', `the session is ${view.status}`)
      const connection = await store.readConnection(record)
      if (!connection) throw new FlowError('conflict', 'tokens_unreadable', 'the token set cannot be decrypted with TOKEN_ENCRYPTION_KEY')
      c.header('cache-control', 'no-store')
      return c.json(connection.tokens)
    },
  )

  .post(
    '/:id/refresh',
    describeRoute({
      summary: 'Refresh the token set (app backend only)',
      tags: ['backend'],
      security: [{ backendKey: [] }],
      responses: { 200: jsonAnswer(SessionSchema, 'the refreshed session'), ...errorAnswers(400, 401, 404, 409, 410, 502) },
    }),
    requireBackend,
    validate('param', SessionIdParam),
    async (c) => {
      const { id } = c.req.valid('param')
      const { session } = unwrap(await coordinatorOf(c.env, id).refresh(id))
      note(c, 'session_refreshed', session.status === 'connected' ? 'info' : 'warn', {
        sessionId: id,
        outcome: session.status,
        error: session.error,
      })
      if (session.status !== 'connected')
        throw new FlowError('gone', session.error ?? 'session_expired', 'the refresh token was refused; the session has expired')
      return c.json(session)
    },
  )

  .delete(
    '/:id',
    describeRoute({
      summary: 'Revoke the tokens upstream and delete the session (app backend only)',
      tags: ['backend'],
      security: [{ backendKey: [] }],
      responses: {
        204: { description: 'revoked and deleted' },
        200: jsonAnswer(DeletedSchema, 'deleted here, but revocation failed upstream'),
        ...errorAnswers(400, 401, 404),
      },
    }),
    requireBackend,
    validate('param', SessionIdParam),
    async (c) => {
      const { id } = c.req.valid('param')
      const deleted = unwrap(await coordinatorOf(c.env, id).remove(id))
      note(c, 'session_deleted', deleted.revoked ? 'info' : 'warn', { sessionId: id, revoked: deleted.revoked, error: deleted.error })
      if (deleted.revoked) return c.body(null, 204)
      // Deleted here all the same; the answer says the tokens may still be live upstream.
      return c.json({ id, deleted: true, revoked: false, error: deleted.error }, 200)
    },
  )
