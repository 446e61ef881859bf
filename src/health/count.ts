/**
 * Counting each session's stages per bank, off the user's path: the events of
 * an isolate are gathered for FLUSH_MS and sent in one call per bank, handed
 * to waitUntil (cloudflare:workers), so the request that caused one never
 * waits for the count, and a count that fails is lost, never an error.
 * Only sessions the backend started are counted (isCounted). Three hooks, each one line where the stage happens:
 *   started  storage/sessions.ts (writePending: a session's first record)
 *   opened   routes/authorize.ts (the first browser bound to the link)
 *   outcome  objects/sessionCoordinator.ts (transition: pending → connected | authorised | failed)
 *
 * A session's bank key is its bank id (`id:<bankId>`); one started with a
 * group selector (`id:all`, `id:test`, …) is counted under the group's name
 * (`all`, `test`) for all its stages, even after the user picks a bank at
 * Moneyhub; a journey on an existing connection started without a bankId is
 * counted under `unknown` (docs/bank-health.md).
 */
import { env, waitUntil } from 'cloudflare:workers'
import type { StoredSession } from '../storage/sessionRecord'
import { bankHealthOf } from '../objects/bankHealth'
import type { HealthEvent } from './window'

const SELECTOR = /(?:^| )id:([A-Za-z0-9_-]{1,64})(?: |$)/

export const bankKeyOf = (record: Pick<StoredSession, 'bankId' | 'requestedScope'>) =>
  record.bankId ?? SELECTOR.exec(record.requestedScope)?.[1] ?? 'unknown'

/** For the benchmark (bench/worker.ts): counting switched off, to measure what it costs. */
export const counting = { on: true }

/**
 * How long an isolate gathers events before sending them: a connection's start, opening and outcome (and other
 * sessions' events) then cost one call to their bank's Durable Object, not three.
 */
export const FLUSH_MS = 1000

/** The events gathered so far, per bank, in the order they happened, and when the batch began (ms). */
let pending: { events: Map<string, HealthEvent[]>; since: number } | undefined

function send(event: HealthEvent) {
  if (!counting.on) return
  // A batch whose sending never came (its request's context was torn down, a Durable Object reset) is left behind.
  if (pending && Date.now() - pending.since < 2 * FLUSH_MS) {
    pending.events.get(event.bank)?.push(event) ?? pending.events.set(event.bank, [event])
    return
  }
  // The env is read once per batch, not per event (each read asks workerd for the current one).
  const bindings = env as Partial<Env>
  if (!bindings.BANK_HEALTH) return
  const batch = (pending = { events: new Map([[event.bank, [event]]]), since: Date.now() })
  waitUntil(
    new Promise((resolve) => setTimeout(resolve, FLUSH_MS)).then(() => {
      if (pending === batch) pending = undefined
      return Promise.all(
        [...batch.events].map(([bank, events]) =>
          bankHealthOf(bindings as Env, bank)
            .count(events)
            .catch(() => undefined),
        ),
      )
    }),
  )
}

/**
 * Only what is real moves a bank's counts: sessions the backend started. GET /connect and POST /sessions from a
 * browser need no key (an allowed Origin is a header anyone can send), so a stranger could otherwise turn any bank
 * `failing` on the public GET /banks by cancelling, or abandoning, links of their own. Payment kinds start only
 * with the backend key (routes/payments.ts, startGuards).
 */
export const isCounted = (record: Pick<StoredSession, 'kind' | 'startedBy'>) => record.kind !== undefined || record.startedBy === 'backend'

const common = (record: StoredSession) => ({
  bank: bankKeyOf(record),
  session: record.id,
  at: Date.now(),
  ...(record.kind ? { kind: record.kind } : {}),
})

/** A session's first record was written. */
export const countStarted = (record: StoredSession) => {
  if (isCounted(record)) send({ stage: 'started', ...common(record) })
}

/** Its link was opened by the browser it is now bound to. */
export const countOpened = (record: StoredSession) => {
  if (isCounted(record)) send({ stage: 'opened', ...common(record), expiresAt: record.expiresAt })
}

/** A transition of the session's record: counted when a pending session becomes final (the user is back from the bank). */
export function countOutcome(before: StoredSession['status'] | undefined, after: StoredSession) {
  if (before !== 'pending' || !isCounted(after)) return
  if (after.status !== 'connected' && after.status !== 'authorised' && after.status !== 'failed') return
  send({ stage: 'outcome', ...common(after), status: after.status, ...(after.error ? { error: after.error } : {}) })
}
