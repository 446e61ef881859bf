// No import cycle in src/: a module is evaluated before everything it imports, so a cycle can hand one of its modules
// a binding that is not yet initialised (the config.ts -> http/urls.ts -> errors.ts -> config.ts loop of issue 29).
// dpdm (a maintained tool, not a hand-written graph) reads the imports from src/index.ts, the Worker's entry; with -T
// it compiles each module first (its own TypeScript 5), so type-only imports, which TypeScript erases, are not
// counted: a cycle of types alone changes nothing at run time.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { test } from 'node:test'

test('no import cycle in src/ (dpdm, value imports)', () => {
  const run = spawnSync(
    'node_modules/.bin/dpdm',
    ['--no-tree', '--no-warning', '--no-progress', '-T', '--exit-code', 'circular:1', 'src/index.ts'],
    { encoding: 'utf8' },
  )
  assert.equal(run.error, undefined)
  const found = run.stdout.replace(/\x1b\[[0-9;]*m/g, '')
  assert.match(found, /Analyze done|Circular Dependencies/, found + run.stderr)
  assert.equal(run.status, 0, `import cycles in src/:\n${found}`)
})
