// Every log event the Worker writes is listed in docs/local-development.md ("Log events").
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'

const LEVELS = new Set(['info', 'warn', 'error'])

/** The event names of every note(c, …) and log(…) call in src/: the string literals of the event argument. */
function eventsInSource() {
  const events = new Set()
  for (const file of readdirSync('src', { recursive: true })) {
    if (!String(file).endsWith('.ts')) continue
    const text = readFileSync(join('src', String(file)), 'utf8')
    for (const call of text.matchAll(/\b(?:note\(c,|log\()([^{)]*)/g))
      // The event argument is what comes before the fields' `{`; a level, or a value compared with ===, is not an event.
      for (const [, name] of call[1].matchAll(/(?<!=== )'([a-z_]+)'/g)) if (!LEVELS.has(name)) events.add(name)
  }
  return events
}

test('every log event in src/ is listed in docs/local-development.md', () => {
  const events = eventsInSource()
  assert.ok(events.has('session_completed') && events.has('payment_session_created') && events.has('request'), [...events].join(', '))
  const docs = readFileSync('docs/local-development.md', 'utf8')
  const listed = docs.slice(docs.indexOf('## Log events'))
  const missing = [...events].filter((event) => !listed.includes(`\`${event}\``))
  assert.deepEqual(missing, [], `add these to the "Log events" table: ${missing.join(', ')}`)
})
