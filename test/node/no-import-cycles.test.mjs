// No import cycle in src/: a module is evaluated before everything it imports, so a cycle of value imports can hand
// one of its modules a binding that is not yet initialised (the config.ts -> http/urls.ts -> errors.ts -> config.ts
// loop of issue 29). Type-only imports count too (dpdm without -T reads the TypeScript as written): TypeScript erases
// them, but a cycle of types still ties its modules into one that cannot be read, moved or tested apart (issue 29:
// "imports point down, never round"); a type two modules share lives in the leaf module it describes (e.g.
// storage/sessionRecord.ts). dpdm (a maintained tool, not a hand-written graph) reads every module of src/, not only
// what src/index.ts reaches (src/client/browser.ts is an entry of its own).
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { test } from 'node:test'

test('no import cycle in src/ (dpdm, value and type imports)', () => {
  const run = spawnSync(
    'node_modules/.bin/dpdm',
    ['--no-tree', '--no-warning', '--no-progress', '--exit-code', 'circular:1', 'src/**/*.ts'],
    { encoding: 'utf8' },
  )
  assert.equal(run.error, undefined)
  const found = run.stdout.replace(/\x1b\[[0-9;]*m/g, '')
  assert.match(found, /Analyze done|Circular Dependencies/, found + run.stderr)
  assert.equal(run.status, 0, `import cycles in src/:\n${found}`)
})
