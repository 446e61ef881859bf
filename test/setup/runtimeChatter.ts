/**
 * workerd's own traces for network errors that the tests cause on purpose and the code handles: the runtime logs
 * them (under the plugin's verbose workerd) even when the error is caught, so a passing run would print them.
 * - a request body the Worker refuses unread (413 before reading, test/api/hostile-input.test.ts, body-limits):
 *   the sender's pipe is aborted;
 * - an identity server that cannot be reached (127.0.0.1:9, test/api/browser-pages.test.ts, slow-refresh,
 *   discovery-pinning): a caught fetch still logs "Connection refused" and "Network connection lost";
 * - a Durable Object aborted mid-exchange by test/short-deadlines/payments-chaos.test.ts, mid-pay by test/recurring-payments/recurring-pay-restart.test.ts,
 *   and during a webhook's first attempt by test/status/webhook-outbox.test.ts (each message is the test's own).
 * Exactly these lines (and the `stack:` line workerd prints after each) are dropped; anything else is printed.
 */
const CHATTER = [
  /^exception = kj\/async-io\.c\+\+:\d+: disconnected: read end of pipe was aborted$/,
  /^exception = rust\/worker\/ffi\.rs:\d+: disconnected: Connection refused \(os error 111\)$/,
  /^uncaught exception; source = Uncaught \(in promise\); stack = Error: Network connection lost\.$/,
  /^uncaught exception; exception = workerd\/jsg\/value\.h:\d+: disconnected: jsg\.Error: Network connection lost\.$/,
  /^uncaught exception; exception = workerd\/api\/actor-state\.c\+\+:\d+: failed: broken\.outputGateBroken; jsg\.Error: chaos: restart mid-exchange$/,
  // test/recurring-payments/recurring-pay-restart.test.ts: a VRP consent's object aborted while a pay is at the mock.
  /^uncaught exception; exception = workerd\/api\/actor-state\.c\+\+:\d+: failed: broken\.outputGateBroken; jsg\.Error: test: restart mid-pay$/,
  /^uncaught exception; exception = workerd\/api\/actor-state\.c\+\+:\d+: failed: broken\.outputGateBroken; jsg\.Error: restart during a webhook's first attempt$/,
]
/** The addresses workerd prints after an exception (`stack: …/workerd@3ed1111 …`). */
const STACK = /^stack: (\S*workerd@[0-9a-f]+ ?)+$/

type Write = typeof process.stdout.write

/** Drops workerd's expected chatter from `stream`; returns what puts the stream back. */
export function filter(stream: Pick<NodeJS.WriteStream, 'write'>): () => void {
  const write = stream.write
  let afterChatter = false
  stream.write = function (chunk: unknown, ...rest: unknown[]) {
    if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) return write.call(stream, chunk as string, ...(rest as []))
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString()
    const kept = text.split('\n').filter((line) => {
      const drop = CHATTER.some((pattern) => pattern.test(line)) || (afterChatter && STACK.test(line))
      if (line) afterChatter = drop
      return !drop
    })
    if (kept.length === text.split('\n').length) return write.call(stream, chunk as string, ...(rest as []))
    const left = kept.join('\n')
    if (!left.replace(/\n/g, '')) {
      const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined
      callback?.()
      return true
    }
    return write.call(stream, left, ...(rest as []))
  } as Write
  return () => {
    stream.write = write
  }
}

export function filterRuntimeChatter(): () => void {
  const restore = [filter(process.stdout), filter(process.stderr)]
  return () => restore.forEach((r) => r())
}
