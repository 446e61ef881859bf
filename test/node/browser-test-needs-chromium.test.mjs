// A missing Chromium is loud: under CI the browser test fails (so npm test fails); locally it says how to run it.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { test } from 'node:test'

const run = (env) =>
  spawnSync(process.execPath, ['test/e2e/demo.e2e.mjs'], {
    encoding: 'utf8',
    env: { ...process.env, CHROMIUM_PATH: '/nonexistent/chromium', ...env },
    timeout: 30_000,
  })

test('under CI=1 a missing Chromium fails the browser test', () => {
  const result = run({ CI: '1' })
  assert.notEqual(result.status, 0)
  assert.match(result.stderr, /CHROMIUM_PATH=\/nonexistent\/chromium does not exist; under CI it must run/)
})

test('locally it is skipped, saying so and how to run it with CHROMIUM_PATH', () => {
  const env = { ...process.env }
  delete env.CI
  const result = spawnSync(process.execPath, ['test/e2e/demo.e2e.mjs'], {
    encoding: 'utf8',
    env: { ...env, CHROMIUM_PATH: '/nonexistent/chromium' },
    timeout: 30_000,
  })
  assert.equal(result.status, 0)
  assert.match(result.stderr, /browser test SKIPPED: CHROMIUM_PATH=\/nonexistent\/chromium does not exist/)
  assert.match(result.stderr, /CHROMIUM_PATH=\/path\/to\/chrome npm run test:browser/)
})
