/**
 * The callback's code exchange, after its claim (sessionCoordinator.ts
 * `complete`): the claim is kept before the code is sent, and every error
 * after it ends in a record kept first, so that a restart never leads to a
 * second exchange and a payment's outcome is never lost.
 */
import type { Config } from '../../config'
import { completeConnection, type AuthorizationResponse } from '../../session/complete'
import { ticketAad, type LaunchTicket } from '../../session/start'
import { isPaymentKind } from '../../kinds/registry'
import { holdOwnIds, registerLookAlike } from '../../payments/lookAlikes'
import { targetOf } from '../../payments/reconciliation'
import { IDEMPOTENCY_TTL_SECONDS } from '../../storage/idempotency'
import { open } from '../../storage/seal'
import { SessionStore } from '../../storage/sessions'
import { publicSession, type Session, type StoredSession } from '../../storage/sessionRecord'
import type { OutcomeIds } from '../../kinds/registry'
import { written, type SessionHost } from './host'
import { reconciliationFor } from './reconcile'
import { claimedAt, type Outcome, type SessionState } from './state'

/** Claims the callback (kept before the code is sent), exchanges its code, and keeps the outcome. */
export async function exchangeCode(
  host: SessionHost,
  config: Config,
  response: AuthorizationResponse,
): Promise<Outcome<{ session: Session; returnTo?: string }>> {
  const current = host.state!
  const at = Date.now()
  await host.save(claimedAt(current, at))
  const store = new SessionStore(host.env.SESSIONS, config)
  const ticket = await ticketOf(config, current)
  // Before the code is sent: a record this session may make could look like another's (payments/lookAlikes.ts).
  const target = ticket && current.record.kind ? targetOf(current.record.kind, ticket.claims) : undefined
  const holdIds = (ids: OutcomeIds) => holdOwnIds(host.env, current.record.kind!, current.record.id, ids)
  // Every error after the claim ends in a record kept here first: an unknown outcome for a payment kind, never a lost one.
  const { record, unwritten } = await written(
    async () => {
      if (!ticket)
        return store.markFailed(current.record, 'session_unreadable', 'the session cannot be decrypted with TOKEN_ENCRYPTION_KEY')
      if (target) await registerLookAlike(host.env, current.record, target, Math.floor(at / 1000), config.reconciliationWindowSeconds)
      return completeConnection(config, store, current.record, ticket, response, holdIds)
    },
    () => unknownOutcome(store, config, current.record, 'internal_error'),
  )
  await host.transition(record, config, { unwritten, reconcile: reconciliationFor(record, config, at, ticket) })
  return { ok: true, session: publicSession(record), ...(record.returnTo ? { returnTo: record.returnTo } : {}) }
}

/** The launch ticket (nonce, verifier, the claims asked for), when it can be opened. */
export async function ticketOf(config: Config, state: SessionState): Promise<LaunchTicket | undefined> {
  if (!state.sealedTicket) return undefined
  return open<LaunchTicket>(config.encryptionKeys, state.sealedTicket, ticketAad(state.record.id)).catch(() => undefined)
}

/**
 * The claim was made and its exchange never ended here (a restart): the code
 * may have been sent. A payment kind is confirming (reconciliation decides);
 * a connection failed, as no money moves (the user starts again).
 */
export async function interrupted(host: SessionHost, config: Config): Promise<StoredSession> {
  const current = host.state!
  const store = new SessionStore(host.env.SESSIONS, config)
  const ticket = await ticketOf(config, current)
  const { record, unwritten } = await written(() => unknownOutcome(store, config, current.record, 'exchange_interrupted'))
  await host.transition(record, config, { unwritten, reconcile: reconciliationFor(record, config, current.claimedAt!, ticket) })
  return record
}

/** The outcome after the claim when nothing trustworthy came back. */
function unknownOutcome(store: SessionStore, config: Config, record: StoredSession, reason: string): Promise<StoredSession> {
  return isPaymentKind(record)
    ? store.markConfirming(record, reason, IDEMPOTENCY_TTL_SECONDS)
    : store.markFailed(record, reason, reason === 'exchange_interrupted' ? 'the code exchange was interrupted; start again' : undefined)
}
