/**
 * Starting a payment kind's session (POST /payments, /standing-orders,
 * /recurring-payments, /payments/:id/reverse): the one session machine's
 * createSession with the kind, and, with an Idempotency-Key, exactly one
 * session per key for 24 hours.
 *
 * Idempotency is strict. The session id is derived from the key:
 * base64url(HMAC-SHA256(sessionIdKey, "<route>\n<key>"))[0..22], with a key
 * HKDF-derived from TOKEN_ENCRYPTION_KEY (config.ts), so nobody without it can
 * predict or collide with another key's session. That session's Durable Object
 * is then the single authority for "already made" (objects/sessionCoordinator.ts, create):
 * two retries at once meet there, and only the first makes a session. The KV
 * store (storage/idempotency.ts) is the fast path in front of it: a replay seen
 * there costs no Durable Object call.
 */
import type { Config } from '../config'
import { ApiError } from '../errors'
import type { SessionKind } from '../kinds/kind'
import { newSession, type SessionFields } from '../session/start'
import type { CreateRequest, Outcome, StartAnswer } from '../objects/sessionCoordinator'
import { randomToken, sha256, toBase64Url } from '../util/encoding'
import { canonicalJson, IDEMPOTENCY_TTL_SECONDS, type IdempotencyStore } from '../storage/idempotency'
import { type SessionStore } from '../storage/sessions'
import { nowSeconds, type StoredSession } from '../storage/sessionRecord'

/** The part of a session's Durable Object that makes sessions for an Idempotency-Key. */
export interface SessionMaker {
  create(request: CreateRequest): Promise<Outcome<{ created: boolean; answer: StartAnswer }>>
}

export interface PaymentStart<R> {
  /** The operation, e.g. `payments`: one Idempotency-Key on two routes means two things. */
  route: string
  kind: SessionKind<R, unknown>
  /**
   * The validated request, returnTo already checked; or how to make it, when
   * that needs a check of its own (a refund asks Moneyhub whether the payment
   * is reversible, and holds the refund's amount in the payment's ledger, for
   * the session `id` about to be made): not run for a retry the KV fast path answers.
   */
  request: R | ((id: string) => Promise<R>)
  /** The body as sent (what a retry must repeat). */
  body: unknown
  idempotencyKey?: string
  /** The session secret the backend hands to its page (the record keeps its hash). */
  owner: { secret: string; secretHash: string }
  /** Where the session's answer points: its authorizeUrl and statusUrl. */
  urls: (id: string, sealedTicket: string) => { authorizeUrl: string; statusUrl: string }
}

export interface PaymentStarted {
  answer: StartAnswer
  /** False for a retry answered with the first request's session. */
  created: boolean
}

export type StartRefusal = { refused: 'idempotency_key_reused' }

/** The session id an Idempotency-Key names on a route: 128 bits of HMAC, like a random id. */
export async function sessionIdFor(config: Config, route: string, key: string): Promise<string> {
  const mac = await crypto.subtle.sign('HMAC', config.sessionIdKey, new TextEncoder().encode(`${route}\n${key}`))
  return toBase64Url(new Uint8Array(mac).slice(0, 16))
}

export async function startPayment<R extends SessionFields>(
  config: Config,
  store: SessionStore,
  deps: { idempotency: IdempotencyStore; makerOf: (id: string) => SessionMaker },
  start: PaymentStart<R>,
): Promise<PaymentStarted | StartRefusal> {
  const answerOf = (record: StoredSession, sealedTicket: string): StartAnswer => ({
    id: record.id,
    ...start.urls(record.id, sealedTicket),
    expiresAt: record.expiresAt,
    secret: start.owner.secret,
  })
  const requested = async (id: string) => ({
    ...(typeof start.request === 'function' ? await start.request(id) : start.request),
    secretHash: start.owner.secretHash,
  })
  if (start.idempotencyKey === undefined) {
    const id = randomToken(16) // 128 bits, as newSession makes
    const { record, sealedTicket } = await newSession(config, await requested(id), start.kind, id)
    await store.writePending(record)
    return { answer: answerOf(record, sealedTicket), created: true }
  }

  const key = start.idempotencyKey
  const seen = await deps.idempotency.lookup<StartAnswer>(start.route, key, start.body)
  if (seen.state === 'reused') return { refused: 'idempotency_key_reused' }
  if (seen.state === 'replay') return { answer: seen.answer, created: false }
  if (seen.state === 'deleted') throw new ApiError('session_deleted', 'the session this Idempotency-Key made was deleted')

  const id = await sessionIdFor(config, start.route, key)
  const { record, ticket, sealedTicket } = await newSession(config, await requested(id), start.kind, id)
  const bodyHash = await sha256(canonicalJson(start.body))
  const made = await deps.makerOf(id).create({
    record,
    state: ticket.state,
    sealedTicket,
    made: {
      bodyHash,
      answer: answerOf(record, sealedTicket),
      fastPath: { kvKey: await deps.idempotency.kvKey(start.route, key), route: start.route },
    },
    keepUntil: nowSeconds() + IDEMPOTENCY_TTL_SECONDS,
  })
  if (!made.ok) {
    if (made.code === 'idempotency_key_reused') return { refused: 'idempotency_key_reused' }
    throw new ApiError(made.code, made.message)
  }
  await deps.idempotency.remember(start.route, key, start.body, made.answer)
  return { answer: made.answer, created: made.created }
}
