// The vitest global setup drops exactly workerd's traces for errors the tests cause on purpose, and prints the rest.
import assert from 'node:assert/strict'
import { test } from 'node:test'

// The filter is TypeScript (vitest loads it): Node imports it as such from 22.18 on, the Node 22 npm test runs with.
const skip = !process.features.typescript && 'needs a Node that strips types (npm test runs the project’s Node 22)'
const { filter } = skip ? {} : await import('../setup/runtimeChatter.ts')

const WORKERD = '/work/node_modules/@cloudflare/workerd-linux-64/bin/workerd'

function written(chunks) {
  const out = []
  const stream = { write: (chunk) => (out.push(String(chunk)), true) }
  const restore = filter(stream)
  for (const chunk of chunks) stream.write(chunk)
  restore()
  return out.join('')
}

test('the expected traces go, with the stack line after each', { skip }, () => {
  const text = written([
    `exception = kj/async-io.c++:763: disconnected: read end of pipe was aborted\nstack: ${WORKERD}@3ed1111\n`,
    `exception = rust/worker/ffi.rs:110: disconnected: Connection refused (os error 111)\nstack: ${WORKERD}@28a3c60 ${WORKERD}@3ac7580\n`,
    'uncaught exception; source = Uncaught (in promise); stack = Error: Network connection lost.\n',
    `uncaught exception; exception = workerd/jsg/value.h:1535: disconnected: jsg.Error: Network connection lost.\nstack: ${WORKERD}@3a4d9d0\n`,
  ])
  assert.equal(text, '')
})

test('anything else is printed, its stack line too', { skip }, () => {
  const other = `uncaught exception; source = Uncaught (in promise); stack = TypeError: x is not a function\nstack: ${WORKERD}@3a4d9d0\n`
  const report = ' ✓ test/api/hostile-input.test.ts (6 tests) 10006ms\n'
  assert.equal(written([other, report]), other + report)
  // A line that only mentions the words is not a trace.
  assert.equal(written(['the body: read end of pipe was aborted\n']), 'the body: read end of pipe was aborted\n')
  // A trace in the middle of other output: only its lines go.
  assert.equal(
    written([`before\nexception = kj/async-io.c++:763: disconnected: read end of pipe was aborted\nstack: ${WORKERD}@3ed1111\nafter\n`]),
    'before\nafter\n',
  )
})
