/**
 * /sessions: start a connection, read its status
 * (at once, long-polled, or as Server-Sent Events), and — backend only — read,
 * refresh and delete its tokens.
 */
import type { Context } from 'hono'
import { Hono } from 'hono/tiny'
import { describeRoute } from 'hono-openapi'
import * as v from 'valibot'
import { ApiError } from '../errors'
import { CATEGORY_TYPES } from '../session/moneyhub'
import { requireListedBank } from '../banks/listed'
import { createSession } from '../session/start'
import { checkScopesForIssuer } from '../data/scopes'
import { coordinatorOf, unwrap } from '../objects/sessionCoordinator'
import { identifyCaller, requireBackend } from '../http/auth'
import { limitBody, MAX_START_BODY_BYTES } from '../http/bodyLimit'
import type { AppEnv } from '../http/context'
import { note } from '../http/log'
import { DeletedSchema, errorAnswers, eventStreamAnswer, jsonAnswer, SessionSchema, StartedSchema, TokenSetSchema } from '../http/openapi'
import { rateLimit } from '../http/rateLimit'
import { newSessionSecret, requireSessionSecret } from '../http/sessionSecret'
import { action, bankId, connectionId, consent, dataScopes, returnTo, SessionIdParam, userId } from '../http/schemas'
import { checkedReturnTo } from '../util/urls'
import { MAX_STREAM_S, statusAfterWait, statusEvents, statusGuards } from '../http/statusWatch'
import { requireJson, validate } from '../http/validation'
import { picklist, refine, refined, strictObject } from '../util/valibot'
import { publicSession, type Session } from '../storage/sessionRecord'

const startFields = strictObject({
  bankId: v.optional(bankId),
  returnTo: v.optional(returnTo),
  userId: v.optional(userId),
  connectionId: v.optional(connectionId),
  action: v.optional(action),
  offlineAccess: v.optional(v.boolean()),
  consent: v.optional(consent),
  enableAsync: v.optional(v.boolean()),
  accountVerification: v.optional(v.boolean()),
  dataScopes: v.optional(dataScopes),
  categoryType: v.optional(picklist(CATEGORY_TYPES)),
})
type StartFields = v.InferOutput<typeof startFields>

export const StartSessionBody = refined(
  startFields,
  refine<StartFields>((b) => !b.action || !b.dataScopes?.length, 'dataScopes cannot go with an action (only openid goes beside it)'),
  refine<StartFields>(
    (b) => !b.action || Boolean(b.userId && b.connectionId && !b.bankId),
    'action needs userId and connectionId, and no bankId',
  ),
  refine<StartFields>((b) => !b.connectionId || Boolean(b.action), 'connectionId needs an action (reauth, reconsent or refresh)'),
  // Moneyhub allows only openid beside an action: such a start would make a link that cannot open.
  refine<StartFields>((b) => !b.action || !b.offlineAccess, 'an action allows no offlineAccess'),
)

const notFound = () => new ApiError('session_not_found', 'no session has this id (it may have expired)')

/** The session's status now; a record whose tokens are spent is scrubbed in the background. */
async function readStatus(c: Context<AppEnv>, id: string): Promise<Session | undefined> {
  const store = c.get('store')
  const record = await store.getForStatus(id)
  if (!record) return undefined
  const session = publicSession(record)
  if (session.status === 'expired' && record.sealed) c.executionCtx.waitUntil(store.scrubIfExpired(record))
  return session
}

export const sessions = new Hono<AppEnv>()
  .post(
    '/',
    describeRoute(
      OPENAPI_BUILD
        ? {
            summary: 'Start a connection',
            tags: ['sessions'],
            responses: {
              201: jsonAnswer(StartedSchema, 'the session; send the browser to authorizeUrl'),
              ...errorAnswers(400, 401, 403, 413, 415, 429),
            },
          }
        : {},
    ),
    rateLimit('START_LIMITER'),
    // Who is calling, and how big the body is, are settled before the body is parsed.
    identifyCaller,
    limitBody(MAX_START_BODY_BYTES),
    requireJson,
    validate('json', StartSessionBody),
    async (c) => {
      const body = c.req.valid('json')
      const caller = c.get('caller')
      if (caller === 'browser' && (body.userId || body.connectionId || body.offlineAccess)) {
        throw new ApiError('backend_only', 'only the app backend may act for an existing user or connection, or ask for offline access')
      }
      const config = c.get('config')
      const returnTo = checkedReturnTo(body.returnTo, config.allowedOrigins)
      await requireListedBank(config, body.bankId)
      if (body.dataScopes) body.dataScopes = await checkScopesForIssuer(config, body.dataScopes, 'connection')
      // Only the page that starts a session learns its secret; the backend ties its sessions to its users itself.
      const owner = caller === 'browser' ? await newSessionSecret() : undefined
      const { record, sealedTicket } = await createSession(config, c.get('store'), {
        ...body,
        ...(returnTo ? { returnTo } : {}),
        ...(owner ? { secretHash: owner.secretHash } : {}),
        ...(caller === 'backend' ? { startedBy: 'backend' as const } : {}),
      })
      note(c, 'session_created', 'info', { sessionId: record.id, caller, scope: record.requestedScope })
      // The browser goes through this Worker first (on the callback's host, so the binding cookie reaches /callback).
      const authorizeUrl = new URL(`/sessions/${record.id}/authorize`, config.redirectUri)
      authorizeUrl.searchParams.set('ticket', sealedTicket)
      // authorizeUrl is a bearer link until opened, and the secret a credential: neither may be cached.
      c.header('cache-control', 'no-store')
      return c.json(
        {
          id: record.id,
          authorizeUrl: authorizeUrl.href,
          statusUrl: new URL(`/sessions/${record.id}`, c.req.url).href,
          expiresAt: record.expiresAt,
          ...(owner ? { secret: owner.secret } : {}),
        },
        201,
      )
    },
  )

  .get(
    '/:id',
    describeRoute(
      OPENAPI_BUILD
        ? {
            summary: 'The status of a session, at once or long-polled (?wait=N)',
            tags: ['sessions'],
            responses: { 200: jsonAnswer(SessionSchema, 'the status; never a token'), ...errorAnswers(400, 403, 404, 429) },
          }
        : {},
    ),
    ...statusGuards,
    async (c) => {
      const { id } = c.req.valid('param')
      const wait = c.req.valid('query').wait ?? 0
      let session = await readStatus(c, id)
      // Pending or confirming: the session's Durable Object answers the moment it changes (or when the wait is over, or the client goes).
      if ((session?.status === 'pending' || session?.status === 'confirming') && wait > 0) session = await statusAfterWait(c, session, wait)
      if (!session) throw notFound()
      c.header('cache-control', 'no-store')
      return c.json(session)
    },
  )

  .get(
    '/:id/events',
    describeRoute(
      OPENAPI_BUILD
        ? {
            summary: 'The status of a session as Server-Sent Events, until it is final',
            tags: ['sessions'],
            responses: {
              200: eventStreamAnswer('text/event-stream of `status` events (Session JSON)'),
              ...errorAnswers(400, 403, 404, 429),
            },
          }
        : {},
    ),
    rateLimit('STATUS_LIMITER'),
    validate('param', SessionIdParam),
    requireSessionSecret,
    async (c) => {
      const { id } = c.req.valid('param')
      const first = await readStatus(c, id)
      if (!first) throw notFound()
      // Pushed by the session's Durable Object, with a heartbeat; ends at a final status, after MAX_STREAM_S, or when the client goes.
      return statusEvents(c, first, MAX_STREAM_S * 1000)
    },
  )

  .get(
    '/:id/tokens',
    describeRoute(
      OPENAPI_BUILD
        ? {
            summary: 'The token set (app backend only)',
            tags: ['backend'],
            security: [{ backendKey: [] }],
            responses: { 200: jsonAnswer(TokenSetSchema, 'the token set'), ...errorAnswers(400, 401, 404, 409, 410) },
          }
        : {},
    ),
    requireBackend,
    validate('param', SessionIdParam),
    async (c) => {
      const store = c.get('store')
      const record = await store.get(c.req.valid('param').id)
      if (!record) throw notFound()
      const view = publicSession(record)
      if (view.status === 'expired') {
        if (record.sealed) c.executionCtx.waitUntil(store.scrubIfExpired(record))
        throw new ApiError('session_expired', 'the tokens have expired and cannot be refreshed')
      }
      if (view.status !== 'connected') throw new ApiError('session_not_connected', `the session is ${view.status}`)
      const connection = await store.readConnection(record)
      if (!connection) throw new ApiError('tokens_unreadable', 'the token set cannot be decrypted with TOKEN_ENCRYPTION_KEY')
      c.header('cache-control', 'no-store')
      return c.json(connection.tokens)
    },
  )

  .post(
    '/:id/refresh',
    describeRoute(
      OPENAPI_BUILD
        ? {
            summary: 'Refresh the token set (app backend only)',
            tags: ['backend'],
            security: [{ backendKey: [] }],
            responses: { 200: jsonAnswer(SessionSchema, 'the refreshed session'), ...errorAnswers(400, 401, 404, 409, 410, 502) },
          }
        : {},
    ),
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
        throw new ApiError(
          session.error === 'refresh_token_rejected' ? session.error : 'session_expired',
          'the refresh token was refused; the session has expired',
        )
      return c.json(session)
    },
  )

  .delete(
    '/:id',
    describeRoute(
      OPENAPI_BUILD
        ? {
            summary: 'Revoke the tokens upstream and delete the session (app backend only)',
            description:
              'An authorised VRP consent is revoked at Moneyhub first (502 and nothing deleted when that fails); its pay records are kept. A session whose outcome is not known yet (confirming, or authorised with id_pending, id_ambiguous or consent_unverified) is refused with 409 outcome_unknown: settle it first.',
            tags: ['backend'],
            security: [{ backendKey: [] }],
            responses: {
              204: { description: 'revoked and deleted' },
              200: jsonAnswer(DeletedSchema, 'deleted here, but revocation failed upstream'),
              ...errorAnswers(400, 401, 404, 409, 502),
            },
          }
        : {},
    ),
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
