/**
 * One piece of work at a time, in the order asked, without holding a Durable
 * Object's input gate (blockConcurrencyWhile would stop the object answering
 * anything while the work calls the identity server). A failed piece of work
 * rejects its own caller only: the next one still runs.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve()

  /** Runs `work` once everything queued before it has ended; resolves or rejects with it. */
  run<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work)
    this.tail = run.catch(() => undefined)
    return run
  }
}
