/**
 * Status watchers (GET /sessions/:id?wait=N and /events): a stream from the
 * session's Durable Object, which pushes each change as it is made. Capped per
 * session (in that object, shared fairly between clients: watcherFairness.ts) and per client address (ClientGate), with 429
 * `too_many_watchers` past the cap; ended when the client goes (request
 * signal, cancelled body) and the cap's lease released with it. Here too: the guards every status route runs first
 * (routes/sessions.ts, payments.ts, recurringPayments.ts), so no route file imports another.
 */
import type { Context } from 'hono'
import * as v from 'valibot'
import { gateOf } from '../objects/clientGate'
import { backendKeyCheck } from './auth'
import { clientKey, rateLimit } from './rateLimit'
import { SessionIdParam } from './schemas'
import { requireSessionSecret, sessionSecretQuery } from './sessionSecret'
import { validate } from './validation'
import { strictObject } from '../util/valibot'
import { ApiError } from '../errors'
import { coordinatorOf } from '../objects/sessionCoordinator'
import type { Session } from '../storage/sessionRecord'
import type { AppEnv } from './context'

/** Long-polling waits at most this long (GET /sessions/:id?wait=N). */
export const MAX_WAIT_S = 25
/** An event stream ends after this long even if the session is still pending. */
export const MAX_STREAM_S = 600

const StatusQuery = strictObject({
  // A query value is a string: read as a number, as zod's coerce did.
  wait: v.optional(v.pipe(v.unknown(), v.transform(Number), v.number(), v.safeInteger(), v.minValue(0), v.maxValue(MAX_WAIT_S))),
  secret: v.optional(sessionSecretQuery),
})

/** GET /sessions/:id and GET /payments/:id, in this order: rate limit, the id and query checked, then the session's secret. */
export const statusGuards = [
  rateLimit('STATUS_LIMITER'),
  validate('param', SessionIdParam),
  validate('query', StatusQuery),
  requireSessionSecret,
] as const

/** Watchers one client address may hold open at once, across sessions. */
export const MAX_WATCHERS_PER_CLIENT = 20

export async function watchStatus(
  c: Context<AppEnv>,
  initial: Session,
  options: { once: boolean; maxMs: number },
): Promise<ReadableStream<Uint8Array>> {
  const address = c.req.header('cf-connecting-ip')
  const backend = (await backendKeyCheck(c)) === 'valid'
  const caller = { client: address ? clientKey(address) : 'unknown', privileged: backend || c.get('secretShown') === true, backend }
  // The backend key is not capped per address (as it is not rate limited): its server watches many sessions.
  const gate = address && !backend ? gateOf(c.env, clientKey(address)) : undefined
  let lease = gate ? await gate.acquire(MAX_WATCHERS_PER_CLIENT, options.maxMs + 60_000) : undefined
  if (gate && !lease) {
    c.header('retry-after', '10')
    throw new ApiError('too_many_watchers', 'too many status requests are open from this address; close one and retry')
  }
  const release = () => {
    if (gate && lease) c.executionCtx.waitUntil(gate.release(lease))
    lease = undefined
  }
  const coordinator = coordinatorOf(c.env, initial.id)
  const outcome = await coordinator.watch(initial, { ...options, caller }).catch((error: unknown) => {
    release()
    throw error
  })
  if (!outcome.ok) {
    release()
    c.header('retry-after', '10')
    throw new ApiError(outcome.code, outcome.message)
  }
  const reader = outcome.stream.getReader()
  let open = true
  const stop = () => {
    reader.cancel().catch(() => undefined)
    release()
    // A cancelled stream is noticed by the object only at its next write (the heartbeat): tell it now.
    if (open) c.executionCtx.waitUntil(coordinator.unwatch(outcome.watcher))
    open = false
  }
  c.req.raw.signal?.addEventListener('abort', stop)
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await reader.read().catch(() => ({ done: true as const, value: undefined }))
      if (next.done) {
        open = false
        controller.close()
        release()
      } else controller.enqueue(next.value)
    },
    cancel: stop,
  })
}

/** The first status event of a stream, read to its end (long-polling). */
export async function firstStatus(stream: ReadableStream<Uint8Array>): Promise<Session | undefined> {
  const text = await new Response(stream).text()
  const data = /^event: status\ndata: (.*)$/m.exec(text)?.[1]
  return data ? (JSON.parse(data) as Session) : undefined
}

/** A status stream whose `status` events are re-rendered by `view` (GET /payments/:id/events shows payments, not sessions). */
export function mapStatusEvents(stream: ReadableStream<Uint8Array>, view: (session: Session) => unknown): ReadableStream<Uint8Array> {
  let buffer = ''
  const render = (event: string) =>
    event.replace(
      /^(event: status\ndata: )(.*)$/m,
      (_, head: string, data: string) => head + JSON.stringify(view(JSON.parse(data) as Session)),
    )
  return stream
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(
      new TransformStream<string, string>({
        transform(chunk, controller) {
          buffer += chunk
          // Events end with a blank line; a chunk may hold several, or part of one.
          let end
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            controller.enqueue(render(buffer.slice(0, end + 2)))
            buffer = buffer.slice(end + 2)
          }
        },
        flush(controller) {
          if (buffer) controller.enqueue(render(buffer))
        },
      }),
    )
    .pipeThrough(new TextEncoderStream())
}

/**
 * A status route's event stream (GET /sessions/:id/events, /payments/:id/events):
 * a final status at once as one event; else the session's Durable Object's
 * pushes, each rendered by `view`, until a final status, `maxMs`, or the client goes.
 */
export async function statusEvents(c: Context<AppEnv>, first: Session, maxMs: number, view?: (session: Session) => unknown) {
  c.header('cache-control', 'no-store')
  c.header('content-type', 'text/event-stream')
  if (first.status !== 'pending' && first.status !== 'confirming')
    return c.body(`event: status\ndata: ${JSON.stringify(view ? view(first) : first)}\n\n`)
  const stream = await watchStatus(c, first, { once: false, maxMs })
  return c.body(view ? mapStatusEvents(stream, view) : stream)
}

/** GET …/:id?wait=N: a pending session's next status, or the same one when the wait ends (or the client goes) first. */
export async function statusAfterWait(c: Context<AppEnv>, pending: Session, waitSeconds: number): Promise<Session> {
  return (await firstStatus(await watchStatus(c, pending, { once: true, maxMs: waitSeconds * 1000 }))) ?? pending
}
