/**
 * Every Durable Object storage key (or key prefix) written or read in src/ is in docs/storage.md (issue 29 item 4):
 * a key added to an object without its row in the one storage schema fails here.
 */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'

const sources = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : []
  })

/** The storage keys a file names: literal keys of storage calls, list prefixes, write maps, and key constants. */
function keysOf(text) {
  const found = new Set()
  const patterns = [
    /storage(?:\.kv)?\.(?:put|get|delete)(?:<[^>]*>)?\(\s*['`]([a-z][\w-]*:?)/g, // storage.put('session', …), storage.get(`brief:${…}`)
    /prefix:\s*'([a-z][\w-]*:)'/g, // storage.list({ prefix: 'lease:' })
    /writes\[`([a-z][\w-]*:)/g, // writes[`slot:${slot}`] = …
    /writes\.([a-z]\w*) =/g, // writes.meta = …
    /const [A-Z_]*(?:PREFIX|_KEY) = '([a-z][\w:-]*)'/g, // const ENTRY_PREFIX = 'webhook:event:'
  ]
  for (const pattern of patterns) for (const [, key] of text.matchAll(pattern)) found.add(key)
  return found
}

test('every Durable Object storage key in src/ is in docs/storage.md', () => {
  const doc = readFileSync('docs/storage.md', 'utf8')
  // Files that touch Durable Object storage (KV keys are read through storage/sessions.ts, not `storage.`).
  const files = sources('src').filter((file) => /storage(?:\.kv)?\.(?:put|get|delete|list)\b/.test(readFileSync(file, 'utf8')))
  const keys = new Map()
  for (const file of files) for (const key of keysOf(readFileSync(file, 'utf8'))) keys.set(key, file)
  if (process.env.SHOW_KEYS) console.log([...keys])
  assert.ok(keys.size >= 10, `only ${keys.size} keys found (${[...keys.keys()]}): the patterns are wrong`)
  // Named in code as itself: `session`, or a prefix followed by its variable part: `slot:<start…>`.
  const named = (key) => doc.includes('`' + key + '`') || doc.includes('`' + key + '<')
  const missing = [...keys].filter(([key]) => !named(key)).map(([key, file]) => `${key} (${file})`)
  assert.deepEqual(missing, [], 'storage keys not in docs/storage.md')
})
