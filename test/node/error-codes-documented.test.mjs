// Every error code of the table (src/errors.ts) is in docs/api.md's "Error codes" table with its status, and that
// table names no code the Worker does not have: the docs cannot drift from what clients get.
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { pathToFileURL } from 'node:url'
import { transformSync } from 'esbuild'

/** ERRORS of src/errors.ts (a module that imports nothing), through esbuild: Node's type stripping has no parameter properties. */
async function errorTable() {
  const { code } = transformSync(readFileSync('src/errors.ts', 'utf8'), { loader: 'ts', format: 'esm' })
  const dir = mkdtempSync(join(tmpdir(), 'errors-'))
  try {
    writeFileSync(join(dir, 'errors.mjs'), code)
    return (await import(pathToFileURL(join(dir, 'errors.mjs')).href)).ERRORS
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The rows of docs/api.md's "Error codes" table: `| \`code\` | status | meaning |`. */
function documented() {
  const docs = readFileSync('docs/api.md', 'utf8')
  const start = docs.indexOf('## Error codes')
  assert.ok(start >= 0, 'docs/api.md has no "## Error codes" section')
  const section = docs.slice(start).split(/\n## /)[0]
  const rows = new Map()
  for (const [, code, status] of section.matchAll(/^\| `([a-z0-9_]+)` \| (\d{3}) \|/gm)) rows.set(code, Number(status))
  return rows
}

test("every code of src/errors.ts is in docs/api.md's error table with its status, and no other", async () => {
  const table = await errorTable()
  const rows = documented()
  assert.ok(Object.keys(table).length > 50 && rows.size > 0)
  const missing = Object.keys(table).filter((code) => !rows.has(code))
  assert.deepEqual(missing, [], `add these to docs/api.md's "Error codes" table: ${missing.join(', ')}`)
  const wrong = Object.entries(table)
    .filter(([code, status]) => rows.get(code) !== status)
    .map(([code, status]) => `${code} is ${status}, the docs say ${rows.get(code)}`)
  assert.deepEqual(wrong, [])
  const unknown = [...rows.keys()].filter((code) => !Object.hasOwn(table, code))
  assert.deepEqual(unknown, [], `docs/api.md names codes the Worker does not have: ${unknown.join(', ')}`)
})

test('a status written beside a code anywhere in docs/ (as in "409 `link_used`") is the table\'s', async () => {
  const table = await errorTable()
  const wrong = []
  for (const file of readdirSync('docs').filter((name) => name.endsWith('.md'))) {
    const text = readFileSync(join('docs', file), 'utf8')
    for (const [, status, code] of text.matchAll(/\b([45]\d\d) `([a-z0-9_]+)`/g))
      if (Object.hasOwn(table, code) && table[code] !== Number(status)) wrong.push(`docs/${file}: ${status} ${code} (${table[code]})`)
  }
  assert.deepEqual(wrong, [])
})
