/**
 * A session's record: its shape (what a session is, what the KV record and the status API hold), its status now and
 * its public view. A leaf: it imports only the journeys' registry (the outcome ids a kind names), so the store
 * (sessions.ts), its isolate cache (statusCache.ts) and bank health's counting (health/count.ts) can all read the
 * record's type without importing one another. Written only by SessionStore (sessions.ts).
 */
import { OUTCOME_IDS, type OutcomeIds, type PaymentKindName } from '../kinds/registry'

/**
 * `authorised`: a payment kind's final success (a connection's is `connected`).
 * `confirming`: a payment kind's code was sent and the outcome is not known
 * (not final: reconciliation asks Moneyhub, docs/reconciliation.md).
 * `revoked`: a VRP consent ended after it (payments/recurring.ts).
 */
export type SessionStatus = 'pending' | 'confirming' | 'connected' | 'authorised' | 'failed' | 'expired' | 'revoked'
export const SESSION_STATUSES = [
  'pending',
  'confirming',
  'connected',
  'authorised',
  'failed',
  'expired',
  'revoked',
] as const satisfies readonly SessionStatus[]

/** What the status API shows: never a token. */
/** What a payment kind's id_token said was made: the ids its kind names (kinds/registry.ts OUTCOME_IDS). */
export interface Session extends OutcomeIds {
  id: string
  /** The session kind (kinds/registry.ts); absent for a connection. */
  kind?: PaymentKindName
  status: SessionStatus
  bankId?: string
  userId?: string
  connectionId?: string
  scope?: string
  /** Seconds since the epoch: when a pending attempt lapses, or when the access token expires. */
  expiresAt: number
  /** With a refresh token: until when the session can be refreshed. */
  refreshableUntil?: number
  error?: string
  errorDescription?: string
  /**
   * Why a payment kind is `confirming` (e.g. upstream_timeout), or, when
   * `authorised` without its id: `id_pending` (being looked for in Moneyhub's
   * records), `id_not_found` or `id_ambiguous` (docs/reconciliation.md).
   */
  reason?: string
  /**
   * A single payment or a standing order, authorised: Moneyhub's final status of its record (a payment: completed,
   * rejected, cancelled, abandoned, error:…; a standing order: InitiationCompleted, InitiationFailed, Cancelled), once
   * the alarm has read it (payments/followStatus.ts). The session's status stays `authorised`.
   */
  moneyhubStatus?: string
}

export interface StoredSession extends Session {
  v: 1
  createdAt: number
  returnTo?: string
  /** The scope asked for, used when the token response omits it. */
  requestedScope: string
  /** The Connection (sessions.ts), sealed, once connected. */
  sealed?: string
  /** Browser-started sessions: base64url SHA-256 of the session secret the starting page holds (http/sessionSecret.ts). */
  secretHash?: string
  /**
   * A connection the app backend started (bearer BACKEND_API_KEY): only those, and payment kinds (which only the
   * backend can start), are counted in bank health (health/count.ts).
   */
  startedBy?: 'backend'
  /** A refund (reverse_payment): Moneyhub's id of the payment it reverses, whose ledger holds its amount (objects/refundLedger.ts). */
  reverses?: string
}

export const nowSeconds = () => Math.floor(Date.now() / 1000)

/**
 * The status a record stands for now: a connected session whose tokens are all
 * spent is expired, and so is a payment kind's pending session past its deadline.
 */
export function currentStatus(record: StoredSession, now = nowSeconds()): SessionStatus {
  if (record.status === 'pending' && record.kind && record.expiresAt <= now) return 'expired'
  if (record.status !== 'connected') return record.status
  const usableUntil = Math.max(record.expiresAt, record.refreshableUntil ?? 0)
  return usableUntil <= now ? 'expired' : 'connected'
}

/** The public view of a record: what GET /sessions/:id answers. */
export function publicSession(record: StoredSession, now = nowSeconds()): Session {
  const view: Session = {
    id: record.id,
    ...(record.kind ? { kind: record.kind } : {}),
    status: currentStatus(record, now),
    expiresAt: record.expiresAt,
  }
  for (const field of [
    'bankId',
    'userId',
    'connectionId',
    ...OUTCOME_IDS,
    'scope',
    'refreshableUntil',
    'error',
    'errorDescription',
    'reason',
    'moneyhubStatus',
  ] as const) {
    if (record[field] !== undefined) (view as unknown as Record<string, unknown>)[field] = record[field]
  }
  if (view.status !== 'connected') delete view.refreshableUntil
  return view
}
