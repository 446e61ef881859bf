// package.json's `exports` point their types at built declarations: they must match the sources.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { buildTypes, ENTRIES } from '../../scripts/build-types.mjs'

test(`${ENTRIES.map((e) => e.output).join(' and ')} are in sync with src/ (else: npm run build:types)`, { timeout: 120_000 }, async () => {
  const built = await buildTypes()
  for (const { output } of ENTRIES)
    assert.equal(readFileSync(output, 'utf8'), built[output], `${output} is out of date: run npm run build:types`)
})

test("package.json's exports give consumers the built declarations, never the Worker's sources", () => {
  const { exports } = JSON.parse(readFileSync('package.json', 'utf8'))
  assert.equal(exports['.'].types, './types/index.d.ts')
  assert.equal(exports['./client'].types, './types/client.d.ts')
  for (const { output } of ENTRIES)
    assert.doesNotMatch(readFileSync(output, 'utf8'), /from '\.|import\("\./, `${output} imports nothing of src/`)
})

test("the browser client's script is declared `string` in the types, not carried whole as a literal type", () => {
  const index = readFileSync('types/index.d.ts', 'utf8')
  assert.doesNotMatch(index, /\/\/ src\/client\/browser\.ts/, 'types/index.d.ts holds the client script: run npm run build:types')
  assert.ok(index.length < 100_000, `types/index.d.ts is ${index.length} characters`)
})
