/**
 * What a session's Durable Object keeps (its storage key `session`), as a
 * union keyed by the phase of the state diagram in sessionCoordinator.ts:
 *
 *   created ──launch──▶ launched ──callback──▶ completing ──▶ settled
 *   (made by `create`)  (bound to one browser)  (claimed once)  (a final or confirming record)
 *   any phase ──DELETE──▶ deleted (a tombstone)
 *
 * A session started without an Idempotency-Key has no `created` phase: its
 * first launch makes it `launched`. States kept before the phase was written
 * get theirs from `withPhase`, read once at start-up.
 */
import { ApiError, type ErrorCode } from '../../errors'
import type { Follow } from '../../payments/followStatus'
import type { ListCursor, MatchTarget } from '../../payments/reconciliation'
import type { IdempotencyFastPath } from '../../storage/idempotency'
import { publicSession, type Session, type StoredSession } from '../../storage/sessionRecord'

/** Errors cross the RPC boundary as data. */
export type Outcome<T> = ({ ok: true } & T) | Refusal

/** A refusal; `returnTo` (and the final `session`, when there is one) once the session is known. */
export interface Refusal {
  ok: false
  code: ErrorCode
  message: string
  returnTo?: string
  session?: Session
}

export const refusal = (code: ErrorCode, message: string, known: Partial<Refusal> = {}): Refusal => ({
  ok: false,
  code,
  message,
  ...known,
})

/** A final session's answer: a refusal that carries the outcome, so the browser is sent back with it. */
export function finalRefusal(record: StoredSession, code: ErrorCode): Refusal {
  return refusal(code, 'this connection was already completed', {
    session: publicSession(record),
    ...(record.returnTo ? { returnTo: record.returnTo } : {}),
  })
}

/** The work's answer, or its ApiError as a refusal (data, to cross the RPC boundary). */
export async function answer<T extends object>(work: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true as const, ...(await work()) }
  } catch (error) {
    if (error instanceof ApiError) return refusal(error.code, error.message)
    throw error
  }
}

/** What POST /payments (and the other payment starts) answer: given again to a retry with the same Idempotency-Key. */
export interface StartAnswer {
  id: string
  authorizeUrl: string
  statusUrl: string
  expiresAt: number
  /** The session secret the backend hands to its page, to read the status (http/sessionSecret.ts). */
  secret?: string
}

/** Made by `create` (an Idempotency-Key): the body's hash and the answer, for a retried POST; where KV remembers the key. */
export interface Made {
  bodyHash: string
  answer: StartAnswer
  fastPath?: IdempotencyFastPath
}

/** A session made for an Idempotency-Key (create). */
export interface CreateRequest {
  /** The pending record, with the id derived from the key. */
  record: StoredSession
  /** The launch ticket's state, and the sealed ticket. */
  state: string
  sealedTicket: string
  /** The body's hash (canonical JSON) and the answer a retry gets. */
  made: Made
  /** Remembered at least until then (24 h). */
  keepUntil: number
}

/** Reconciliation of one session (payments/reconciliation.ts); times in seconds since the epoch. */
export interface Reconciliation {
  /** What the authorisation request asked for; absent when its ticket could not be read. */
  target?: MatchTarget
  /** The claim of the callback: the window opens here... */
  from: number
  /** ...and closes here (RECONCILIATION_WINDOW_SECONDS later). */
  until: number
  attempt: number
  nextAt: number
  firstDelay: number
  /** A read of Moneyhub's list that did not end in one look (bounded work): the next look goes on from here. */
  cursor?: ListCursor
}

/** What every phase may carry. */
interface Kept {
  /** The session record as last written to KV: the authority. */
  record: StoredSession
  stateHash?: string
  browserKeyHash?: string
  /** The sealed launch ticket (nonce, PKCE verifier), until the code is exchanged. */
  sealedTicket?: string
  /** When the callback was claimed (ms): written before the code is sent. */
  claimedAt?: number
  /** When the authorizeUrl lapses (the pending deadline): a final session is remembered at least until then. */
  linkExpiresAt?: number
  /** When this state may be forgotten (every link to it has lapsed). */
  forgetAt?: number
  made?: Made
  /** Remember this state at least until then (an Idempotency-Key's 24 h). */
  keepUntil?: number
  /** A payment kind's outcome (confirming) or id (authorised, id_pending) being looked for in Moneyhub's records. */
  reconcile?: Reconciliation
  /** A VRP consent's pays whose outcome is unknown (consentPays.ts): looked for in Moneyhub's payments from the alarm. */
  pays?: { attempt: number; nextAt: number }
  /** An authorised payment's Moneyhub status, read until it is final, within a bound (payments/followStatus.ts, issue 27). */
  follow?: Follow
  /** The record's KV write failed: written again from the alarm (seconds: until when KV keeps it; the next try). */
  unwritten?: { keepUntil: number; attempt: number; nextAt: number }
  /** Written with the `deleted` phase too, so that a state read by code older than the phase is still a tombstone. */
  deleted?: true
}

/** Made by `create` (an Idempotency-Key) and not yet opened: the first browser binds it, with this ticket. */
export interface Created extends Kept {
  phase: 'created'
  stateHash: string
  sealedTicket: string
  made: Made
  keepUntil: number
  browserKeyHash?: undefined
  claimedAt?: undefined
}

/** Opened in one browser (its key's hash); the callback has not come. */
export interface Launched extends Kept {
  phase: 'launched'
  stateHash: string
  browserKeyHash: string
  claimedAt?: undefined
}

/** The callback was claimed (its code may have been sent) and no outcome is kept yet. */
export interface Completing extends Kept {
  phase: 'completing'
  stateHash: string
  browserKeyHash: string
  claimedAt: number
}

/** A final or confirming record: what remains is work for the alarm (a KV write, a look at Moneyhub's records). */
export interface Settled extends Kept {
  phase: 'settled'
}

/** DELETE /sessions/:id: nothing opens or completes this session again until it is forgotten. */
export interface Deleted extends Kept {
  phase: 'deleted'
  deleted: true
  browserKeyHash?: undefined
  sealedTicket?: undefined
}

export type SessionState = Created | Launched | Completing | Settled | Deleted
export type Phase = SessionState['phase']

/** A record no longer pending: a final status, or confirming. */
export const isFinal = (record: StoredSession) => record.status !== 'pending'

/** A state as kept in storage, with its phase: one kept before the phase was written gets the one its fields imply. */
export function withPhase(kept: (Kept & { phase?: Phase }) | undefined): SessionState | undefined {
  if (!kept || kept.phase) return kept as SessionState | undefined
  return { ...kept, phase: phaseOf(kept) } as SessionState
}

/**
 * The phase a state's fields imply: for a state kept before the phase was
 * written, and for a transition's new record (settled once it is not pending).
 */
export function phaseOf(kept: Kept): Phase {
  if (kept.deleted) return 'deleted'
  if (isFinal(kept.record)) return 'settled'
  if (kept.claimedAt !== undefined) return 'completing'
  if (kept.browserKeyHash) return 'launched'
  return kept.stateHash ? 'created' : 'settled'
}

/** The callback claimed (ms): a launched session is completing from here on. */
export const claimedAt = (state: SessionState, at: number): SessionState =>
  ({ ...state, claimedAt: at, phase: state.phase === 'launched' ? 'completing' : state.phase }) as SessionState

/** What every phase may carry, for reading a state that may not be there. */
export type AnyState = Partial<Kept> & { phase?: Phase }
