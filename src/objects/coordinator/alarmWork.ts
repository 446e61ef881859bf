/**
 * The alarm's own work on the session's record (sessionCoordinator.ts
 * `alarm`): a KV write that failed, written again; an authorised payment's
 * Moneyhub status followed (payments/followStatus.ts, issue 27); the alarm of
 * a session kept before its object kept its state.
 */
import { log } from '../../util/log'
import { lookAtPayment } from '../../payments/followStatus'
import { addToOutbox, attemptFromOutbox, outboxDueInS } from '../../session/webhookOutbox'
import { RecordNotWritten, SessionStore } from '../../storage/sessions'
import { currentStatus, nowSeconds, publicSession, type StoredSession } from '../../storage/sessionRecord'
import { rewriteDelayS } from './alarmPlan'
import { written, type SessionHost } from './host'

/** The record whose KV write failed, written again; another failure tries later. */
export async function writeAgain(host: SessionHost): Promise<void> {
  const state = host.state
  if (!state?.unwritten) return
  const config = await host.config()
  try {
    await new SessionStore(host.env.SESSIONS, config).rewrite(state.record, state.unwritten.keepUntil)
    const { unwritten: _, ...rest } = state
    await host.save(rest)
  } catch (error) {
    if (!(error instanceof RecordNotWritten)) throw error
    const attempt = state.unwritten.attempt + 1
    log('warn', 'session_write_failed', { sessionId: state.record.id, status: state.record.status, attempt })
    await host.save({ ...state, unwritten: { ...state.unwritten, attempt, nextAt: nowSeconds() + rewriteDelayS(attempt) } })
  }
}

/** One look at an authorised payment's Moneyhub status: its final one is recorded (a webhook says it); past the bound, no more. */
export async function followPayment(host: SessionHost): Promise<void> {
  const state = host.state
  if (!state?.follow) return
  const config = await host.config()
  const look = await lookAtPayment(config, state.follow, nowSeconds())
  if ('next' in look) return host.save({ ...state, follow: look.next })
  if ('done' in look) {
    const { follow: _, ...rest } = state
    log('info', 'payment_status_unfollowed', { sessionId: state.record.id })
    return host.save(rest)
  }
  const record: StoredSession = { ...state.record, moneyhubStatus: look.final }
  const { unwritten } = await written(async () => {
    await new SessionStore(host.env.SESSIONS, config).rewrite(record, record.expiresAt)
    return record
  })
  await host.transition(record, config, { unwritten })
}

/**
 * Sessions connected before this object kept their state: only an id and an
 * alarm. Their expiry is reported; then they are forgotten, or looked at again
 * in the seconds returned (a webhook not yet handed on).
 */
export async function legacyAlarm(host: SessionHost): Promise<number | undefined> {
  const id = await host.storage.get<string>('id')
  if (!id) return undefined
  const config = await host.config()
  const store = new SessionStore(host.env.SESSIONS, config)
  const record = await store.get(id)
  if (record?.status === 'connected' && currentStatus(record) === 'expired') {
    const event = addToOutbox(host.storage, config, publicSession(await store.markExpired(record)))
    if (event) await attemptFromOutbox(host.env, config, host.storage, event)
  }
  if (outboxDueInS(host.storage)) return outboxDueInS(host.storage) // its webhook not yet handed on
  await host.storage.deleteAll()
  return undefined
}
