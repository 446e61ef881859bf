/**
 * The status streams of one session (GET /sessions/:id?wait, /events), held
 * by its SessionCoordinator: Server-Sent Events, a change pushed the moment it
 * is made, a heartbeat that finds dead readers, and a cancelled stream dropped
 * at once. Who may open one is watcherFairness.ts's rule. Memory only: a
 * restart ends every stream, and its reader reconnects or reads the status.
 */
import { randomToken } from '../../util/encoding'
import type { Session } from '../../storage/sessionRecord'
import { admitWatcher, type OpenWatcher, type WatcherCaller } from './watcherFairness'

/** How often a stream proves its reader is there. */
const HEARTBEAT_MS = 15_000

interface Watcher extends OpenWatcher {
  id: string
  writer: WritableStreamDefaultWriter<Uint8Array>
  once: boolean
  deadline?: ReturnType<typeof setTimeout>
  heartbeat?: ReturnType<typeof setInterval>
  chain: Promise<unknown>
}

export interface WatchOptions {
  once: boolean
  maxMs: number
  caller?: WatcherCaller
}

/** What the session's Durable Object knows when a stream opens: deleted, or its status (undefined before it has a state). */
export type Known = { deleted: true } | { deleted: false; session?: Session }

const encoder = new TextEncoder()
const sse = (event: string, data: unknown) => encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
/** A status after which a watcher has nothing more to wait for (confirming still changes). */
const isSettled = (status: Session['status']) => status !== 'pending' && status !== 'confirming'

export class StatusStreams {
  private readonly watchers = new Map<string, Watcher>()

  /**
   * A stream of the session's status. `initial` is what the caller read from
   * KV: sent first unless `once`, and replaced at once by what the object
   * knows if that differs. With `once`, the stream ends after the first change
   * (long-polling); otherwise at a final status. Both end after `maxMs`, or
   * when the reader goes away. `{ refused }` when watcherFairness.ts says no.
   */
  open(
    initial: Session,
    options: WatchOptions,
    known: Known,
  ): { refused: string } | { stream: ReadableStream<Uint8Array>; watcher: string } {
    const caller = options.caller ?? { client: 'unknown', privileged: false, backend: false }
    const admission = admitWatcher([...this.watchers.values()], caller)
    if (!admission.admit) return { refused: admission.message }
    const evicted = admission.evict ? this.watchers.get(admission.evict) : undefined
    if (evicted) this.drop(evicted)
    const { readable, writable } = new IdentityTransformStream()
    const watcher: Watcher = {
      id: randomToken(9),
      ...caller,
      openedAt: Date.now(),
      writer: writable.getWriter(),
      once: options.once,
      chain: Promise.resolve(),
    }
    this.watchers.set(watcher.id, watcher)
    // The reader cancelling (the client went) errors the writable side at once.
    watcher.writer.closed.catch(() => this.drop(watcher, true))
    watcher.deadline = setTimeout(() => this.drop(watcher), options.maxMs)
    if (!options.once) {
      watcher.heartbeat = setInterval(() => this.write(watcher, encoder.encode(': heartbeat\n\n')), HEARTBEAT_MS)
      this.write(watcher, sse('status', initial))
    }
    if (known.deleted) this.write(watcher, sse('gone', { id: initial.id }), true)
    else if (known.session && known.session.status !== initial.status)
      this.write(watcher, sse('status', known.session), options.once || isSettled(known.session.status))
    return { stream: readable as ReadableStream<Uint8Array>, watcher: watcher.id }
  }

  /** The Worker saw its client go: drop the stream now rather than at its next write. */
  close(id: string): void {
    const watcher = this.watchers.get(id)
    if (watcher) this.drop(watcher, true)
  }

  /** A new status, to every stream; a long-poll, or a stream at a settled status, ends with it. */
  push(session: Session) {
    for (const watcher of this.watchers.values()) this.write(watcher, sse('status', session), watcher.once || isSettled(session.status))
  }

  /** The session was deleted: every stream is told and ends. */
  gone(id: string) {
    for (const watcher of this.watchers.values()) this.write(watcher, sse('gone', { id }), true)
  }

  /** How many streams are open. */
  get size(): number {
    return this.watchers.size
  }

  /** Writes in order; a failed write means the reader is gone. */
  private write(watcher: Watcher, bytes: Uint8Array, last = false) {
    watcher.chain = watcher.chain
      .then(() => watcher.writer.write(bytes))
      .then(
        () => last && this.drop(watcher),
        () => this.drop(watcher, true),
      )
    if (last) this.stopTimers(watcher)
  }

  private stopTimers(watcher: Watcher) {
    if (watcher.deadline) clearTimeout(watcher.deadline)
    if (watcher.heartbeat) clearInterval(watcher.heartbeat)
  }

  private drop(watcher: Watcher, broken = false) {
    if (!this.watchers.delete(watcher.id)) return
    this.stopTimers(watcher)
    if (broken) watcher.writer.abort().catch(() => undefined)
    else watcher.writer.close().catch(() => undefined)
  }
}
