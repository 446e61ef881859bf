/**
 * A session whose outcome (confirming) or id (authorised, id_pending) is
 * unknown, looked for in Moneyhub's records from its alarm
 * (payments/reconciliation.ts, docs/reconciliation.md). What a look decides
 * is payments/nextLook.ts's pure `decideLook`; here it is written: the
 * record, the next look, the unresolved index (storage/unresolved.ts).
 */
import type { Config } from '../../config'
import { authorisedRetentionSeconds } from '../../session/complete'
import type { LaunchTicket } from '../../session/start'
import { log } from '../../util/log'
import { proveMade } from '../../payments/lookAlikes'
import { decideLook, isUnresolved, keepUnresolvedUntil, lookAgain, type Verdict } from '../../payments/nextLook'
import { targetOf, type MatchResult } from '../../payments/reconciliation'
import { IDEMPOTENCY_TTL_SECONDS } from '../../storage/idempotency'
import { SessionStore } from '../../storage/sessions'
import { nowSeconds, type StoredSession } from '../../storage/sessionRecord'
import { forgetUnresolved, indexUnresolved, MAX_LISTED_PAYS } from '../../storage/unresolved'
import { ConsentPays } from './consentPays'
import { written, type SessionHost } from './host'
import type { Reconciliation } from './state'

/** What reconciliation looks for when the record's outcome or id is unknown. */
export function reconciliationFor(
  record: StoredSession,
  config: Config,
  claimedAt: number,
  ticket: LaunchTicket | undefined,
): Reconciliation | undefined {
  const unknown = record.status === 'confirming' || (record.status === 'authorised' && record.reason === 'id_pending')
  if (!unknown || !record.kind) return undefined
  const target = ticket ? targetOf(record.kind, ticket.claims) : undefined
  const from = Math.floor(claimedAt / 1000)
  const firstDelay = config.reconciliationFirstDelaySeconds
  return {
    ...(target ? { target } : {}),
    from,
    until: from + config.reconciliationWindowSeconds,
    attempt: 0,
    nextAt: nowSeconds() + firstDelay,
    firstDelay,
  }
}

/** A verdict, written as the session's record. */
function write(store: SessionStore, record: StoredSession, verdict: Verdict): Promise<StoredSession> {
  if ('authorised' in verdict) return store.storeAuthorised(record, verdict.authorised, authorisedRetentionSeconds(record))
  if ('confirming' in verdict) return store.markConfirming(record, verdict.confirming, IDEMPOTENCY_TTL_SECONDS)
  return store.markFailed(record, verdict.failed, 'Moneyhub has no record of this payment: it was not made')
}

/**
 * One look at Moneyhub's records: found, the session is authorised with the
 * id; ambiguous, it says so and stops; not there once the window has passed,
 * a confirming payment failed (`payment_not_made`) and an authorised one
 * stays without its id (nextLook.ts, decideLook).
 */
export async function reconcile(host: SessionHost): Promise<void> {
  const state = host.state
  const look = state?.reconcile
  if (!state || !look) return
  const config = await host.config()
  const store = new SessionStore(host.env.SESSIONS, config)
  const record = state.record
  let result: MatchResult | undefined
  try {
    // The user the session knows: the one asked for, or a validated id_token's (authorised without its id).
    const session = { id: record.id, ...(record.userId ? { userId: record.userId } : {}) }
    result = look.target ? await proveMade(host.env, config, session, { ...look, target: look.target }) : { unsupported: true }
  } catch (error) {
    // Moneyhub unreachable says nothing about the payment: look again later, even past the window.
    log('warn', 'reconciliation_unavailable', { sessionId: record.id, error: error instanceof Error ? error.name : 'unknown' })
  }
  const decision = decideLook(result, look, record.status === 'confirming', nowSeconds())
  if ('again' in decision) {
    await host.save({ ...state, reconcile: decision.again })
    return keepUnresolved(host, config)
  }
  if (result && 'unverified' in result) log('warn', 'consent_unverified', { sessionId: record.id })
  if (result && 'ambiguous' in result) log('warn', 'reconciliation_ambiguous', { sessionId: record.id, matches: result.ambiguous })
  const { record: settled, unwritten } = await written(() => write(store, record, decision.verdict))
  log('info', 'reconciled', { sessionId: record.id, status: settled.status, reason: settled.reason ?? settled.error })
  // Still unknown (ambiguous, nothing to match on): looked at again until it is settled, here or by a person (issue 26).
  const again = isUnresolved(settled) ? lookAgain(look, nowSeconds()) : undefined
  await host.transition(settled, config, { unwritten, reconcile: again })
  if (again) await keepUnresolved(host, config)
}

/**
 * An unresolved session outlives its next look (issue 26): its KV record is
 * written again to last past it (nextLook.ts), and it is listed for a person.
 */
export async function keepUnresolved(host: SessionHost, config: Config): Promise<void> {
  const state = host.state
  if (!state?.reconcile || state.phase === 'deleted' || !isUnresolved(state.record)) return
  const keep = keepUnresolvedUntil(state.record.expiresAt, state.reconcile.nextAt)
  if (keep !== undefined) {
    const longer: StoredSession = { ...state.record, expiresAt: keep }
    const { unwritten } = await written(async () => {
      await new SessionStore(host.env.SESSIONS, config).rewrite(longer, keep)
      return longer
    })
    await host.save({
      ...state,
      record: longer,
      ...(unwritten !== undefined ? { unwritten: { keepUntil: unwritten, attempt: 0, nextAt: nowSeconds() + 1 } } : {}),
    })
  }
  await listUnresolved(host)
}

/**
 * The index of unresolved sessions (storage/unresolved.ts) says what this session is: listed while unresolved, or
 * while a pay under it (a VRP consent) is unresolved (issue 26: a person is told), else not.
 */
export async function listUnresolved(host: SessionHost): Promise<void> {
  const state = host.state
  if (!state) return
  const { record, reconcile: look } = state
  try {
    const pays = state.phase !== 'deleted' && record.kind === 'recurring_payment' ? await new ConsentPays(host.storage).unresolved() : []
    if (state.phase !== 'deleted' && isUnresolved(record) && record.kind) {
      const entry = {
        id: record.id,
        kind: record.kind,
        status: record.status,
        ...(record.reason ? { reason: record.reason } : {}),
        since: look?.from ?? record.createdAt,
        nextLookAt: look?.nextAt ?? 0,
        looks: look?.attempt ?? 0,
      }
      await indexUnresolved(host.env.SESSIONS, entry, record.expiresAt)
    } else if (record.kind && pays.length > 0) {
      const entry = {
        id: record.id,
        kind: record.kind,
        status: record.status,
        since: Math.min(...pays.map((p) => p.since)),
        nextLookAt: state.pays?.nextAt ?? 0,
        looks: state.pays?.attempt ?? 0,
        pays: pays.slice(0, MAX_LISTED_PAYS),
        unresolvedPays: pays.length,
      }
      await indexUnresolved(host.env.SESSIONS, entry, record.expiresAt)
    } else await forgetUnresolved(host.env.SESSIONS, record.id)
  } catch (error) {
    // Written again at the next look; the session's own state is the authority.
    log('warn', 'unresolved_index_failed', { sessionId: record.id, error: error instanceof Error ? error.name : 'unknown' })
  }
}
