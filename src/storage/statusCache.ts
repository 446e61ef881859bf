/**
 * Final session records (connected, failed, expired), kept in the isolate for
 * a few seconds so that a frontend polling the status costs no KV read. KV's
 * own edge cache already serves reads up to 60 s old, so this adds no
 * staleness a client could notice beyond a few seconds (a refresh or deletion
 * made in another isolate); writes made in this isolate replace or drop the
 * entry at once. Pending records are never cached: they are the ones that change.
 */
import type { StoredSession } from './sessionRecord'

const TTL_MS = 5_000
const MAX_ENTRIES = 10_000
const entries = new Map<string, { record: StoredSession; until: number }>()

export function cachedRecord(id: string): StoredSession | undefined {
  const hit = entries.get(id)
  if (!hit) return undefined
  if (hit.until > Date.now()) return hit.record
  entries.delete(id)
  return undefined
}

export function rememberRecord(record: StoredSession) {
  if (record.status === 'pending') {
    entries.delete(record.id)
    return
  }
  if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!)
  entries.set(record.id, { record, until: Date.now() + TTL_MS })
}

export const forgetRecord = (id: string) => void entries.delete(id)
