/**
 * What the SessionCoordinator gives its parts (reconcile.ts, consentPays.ts):
 * its state, and the one way to change it. The parts are plain functions of
 * this object; the coordinator stays the one authority, and its serial queue
 * runs them one at a time.
 */
import type { Config } from '../../config'
import { log } from '../../util/log'
import { RecordNotWritten } from '../../storage/sessions'
import { type StoredSession } from '../../storage/sessionRecord'
import type { Reconciliation, SessionState } from './state'

export interface SessionHost {
  readonly env: Env
  readonly storage: DurableObjectStorage
  /** The state as last saved (undefined before the session has one, or once it is forgotten). */
  readonly state: SessionState | undefined
  config(): Promise<Config>
  /** Nothing of this session is kept any more (storage and memory). */
  forget(): Promise<void>
  /** The alarm's time as last set is forgotten: the next save sets it again. */
  alarmForgotten(): void
  /** The state and its alarm, written together. */
  save(state: SessionState): Promise<void>
  /** A new record, written to KV by the caller (or `unwritten`): kept, pushed to watchers, reported once when new. */
  transition(
    record: StoredSession,
    config: Config,
    work?: { unwritten?: number | undefined; reconcile?: Reconciliation | undefined },
  ): Promise<void>
}

/**
 * Runs a write of the session's record. A KV write that failed gives its
 * record back as `unwritten` (kept here, written again from the alarm); any
 * other error gives `otherwise`'s record (itself written, or unwritten).
 */
export async function written(
  write: () => Promise<StoredSession>,
  otherwise?: () => Promise<StoredSession>,
): Promise<{ record: StoredSession; unwritten?: number }> {
  try {
    return { record: await write() }
  } catch (error) {
    if (error instanceof RecordNotWritten) {
      log('warn', 'session_write_failed', { sessionId: error.record.id, status: error.record.status })
      return { record: error.record, unwritten: error.keepUntil }
    }
    if (!otherwise) throw error
    log('error', 'session_outcome_error', { error: error instanceof Error ? error.name : 'unknown' })
    return written(otherwise)
  }
}
