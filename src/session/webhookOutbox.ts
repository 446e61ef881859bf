/**
 * The webhook outbox (docs/webhooks.md, docs/storage.md): each event is
 * written to the session's Durable Object storage in the same write as the
 * change it reports (`addToOutbox` is synchronous: called before the state's
 * put, with no await between them, both are committed together), so no
 * restart can separate the change from its event. The event then leaves the
 * outbox only once it is handed on: the receiver answered 2xx, or the retry
 * queue (webhookRetries.ts) holds it. Until then the object's alarm tries it
 * again: an attempt cut off by a restart, or a queue send that failed.
 * Delivery is at least once, keyed by `eventId`.
 *
 * Keys: `webhook:sequence` (the session's last event's number) and
 * `webhook:event:<sequence, 12 digits>` (an event not yet handed on).
 */
import { getConfig, type Config } from '../config'
import { nowSeconds, type Session } from '../storage/sessionRecord'
import { postWebhook, webhookEvent, type EventOrder, type WebhookEvent } from './webhook'
import { giveUp, queueRetries } from './webhookRetries'

const SEQUENCE_KEY = 'webhook:sequence'
const ENTRY_PREFIX = 'webhook:event:'
const entryKey = (sequence: number) => `${ENTRY_PREFIX}${String(sequence).padStart(12, '0')}`

/** An event not yet handed on. */
export interface OutboxEntry {
  event: WebhookEvent
  /** When it was written, just before its first attempt (ms since the epoch): the give-up clock starts then. */
  firstAttemptAt: number
  /** Attempts that ended; 0 while the first one runs, or when a restart cut it off. */
  attempts: number
  /** When the alarm looks at it (seconds since the epoch). */
  nextAt: number
}

/** The events whose attempt runs in this object now (one Set per object: a restarted object starts with none). */
const running = new WeakMap<DurableObjectStorage, Set<string>>()
const runningIn = (storage: DurableObjectStorage) => {
  let keys = running.get(storage)
  if (!keys) running.set(storage, (keys = new Set()))
  return keys
}

/** After a refused queue send: 2 s, doubling, at most a minute apart. */
const handOffDelayS = (attempts: number) => Math.min(60, 2 ** attempts)

/**
 * The session's event for this change, with the next sequence, written to the
 * outbox. Synchronous, so that the caller's own write in the same turn is
 * committed with it. Undefined without a webhook or for a pending session.
 */
export function addToOutbox(storage: DurableObjectStorage, config: Config, session: Session): OutboxEntry | undefined {
  return addEventToOutbox(storage, config, (order) => webhookEvent(session, order))
}

/** The event `build` makes (with the session's next sequence), written to the outbox as addToOutbox writes a session's. */
export function addEventToOutbox(
  storage: DurableObjectStorage,
  config: Config,
  build: (order: EventOrder) => WebhookEvent | undefined,
): OutboxEntry | undefined {
  if (!config.webhook) return undefined
  const now = Date.now()
  const sequence = (storage.kv.get<number>(SEQUENCE_KEY) ?? 0) + 1
  const event = build({ sequence, occurredAt: new Date(now).toISOString() })
  if (!event) return undefined
  // If this object restarts during the first attempt, the alarm finds the event by then (the attempt's timeout, and some).
  const entry: OutboxEntry = {
    event,
    firstAttemptAt: now,
    attempts: 0,
    nextAt: nowSeconds() + Math.ceil(config.upstreamTimeoutMs / 1000) + 10,
  }
  storage.kv.put(SEQUENCE_KEY, sequence)
  storage.kv.put(entryKey(sequence), entry)
  runningIn(storage).add(entryKey(sequence))
  return entry
}

/** One attempt at an event in the outbox: delivered, or queued for retries, it leaves; otherwise the alarm tries again. */
export async function attemptFromOutbox(env: Env, config: Config, storage: DurableObjectStorage, entry: OutboxEntry): Promise<void> {
  const key = entryKey(entry.event.sequence)
  const keys = runningIn(storage)
  keys.add(key)
  try {
    const attempts = entry.attempts + 1
    const queued = { event: entry.event, firstAttemptAt: entry.firstAttemptAt }
    if ((await postWebhook(config, entry.event, attempts)) || (await queueRetries(env, config, queued))) {
      storage.kv.delete(key)
      return
    }
    if (Date.now() - entry.firstAttemptAt >= config.webhookRetry.giveUpSeconds * 1000) {
      storage.kv.delete(key)
      await giveUp(env, queued, attempts).catch(() => undefined) // the dead-letter queue is down too: the log line remains
      return
    }
    storage.kv.put(key, { ...entry, attempts, nextAt: nowSeconds() + handOffDelayS(attempts) } satisfies OutboxEntry)
  } finally {
    keys.delete(key)
  }
}

/**
 * The alarm's look at the outbox: every event whose attempt is not running
 * here and either was cut off by a restart or is due, tried again in order.
 */
export async function flushOutbox(env: Env, storage: DurableObjectStorage): Promise<void> {
  const entries = [...storage.kv.list<OutboxEntry>({ prefix: ENTRY_PREFIX })]
  if (!entries.length) return
  let config: Config
  try {
    config = await getConfig(env)
  } catch {
    return // the settings are broken: the events wait (the alarm comes back) until they are fixed
  }
  const keys = runningIn(storage)
  const now = nowSeconds()
  for (const [key, entry] of entries) {
    if (keys.has(key) || (entry.attempts > 0 && entry.nextAt > now)) continue
    if (!config.webhook)
      storage.kv.delete(key) // no receiver any more: nothing to deliver to
    else await attemptFromOutbox(env, config, storage, entry)
  }
}

/** When the alarm should next look at the outbox (seconds since the epoch, at least a second ahead); Infinity when it is empty. */
export function outboxNextAt(storage: DurableObjectStorage): number {
  let at = Infinity
  for (const [, entry] of storage.kv.list<OutboxEntry>({ prefix: ENTRY_PREFIX })) at = Math.min(at, entry.nextAt)
  return at === Infinity ? at : Math.max(at, nowSeconds() + 1)
}

/** Seconds until the outbox's next look, or 0 when it is empty: an object with events still to hand on is not forgotten. */
export function outboxDueInS(storage: DurableObjectStorage): number {
  const at = outboxNextAt(storage)
  return at === Infinity ? 0 : at - nowSeconds()
}
