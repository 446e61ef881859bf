// npm run dev: clear messages, not stack traces, when the ground is not ready.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { test } from 'node:test'

const dev = resolve('scripts/dev.mjs')

function project(devVars) {
  const dir = mkdtempSync(join(tmpdir(), 'dev-'))
  mkdirSync(join(dir, 'mock'))
  if (devVars !== undefined) writeFileSync(join(dir, '.dev.vars'), devVars)
  return dir
}

const run = (cwd, env = {}) =>
  spawnSync(process.execPath, [dev], { cwd, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 20_000 })

test('a malformed .dev.vars is named, with the line and what to do', () => {
  const result = run(project('MONEYHUB_CLIENT_ID=x\nthis line is wrong\n'))
  assert.equal(result.status, 1)
  assert.match(result.stderr, /\.dev\.vars line 2 is not NAME=value/)
  assert.doesNotMatch(result.stderr, /\n\s+at /) // no stack trace
})

test('CLIENT_PRIVATE_JWKS that is not JSON is named', () => {
  const vars = [
    'MONEYHUB_ISSUER=http://127.0.0.1:1/oidc',
    'MONEYHUB_CLIENT_ID=x',
    'MONEYHUB_REDIRECT_URI=http://127.0.0.1:2/callback',
    'CLIENT_PRIVATE_JWKS={not json',
    'TOKEN_ENCRYPTION_KEY=k',
    'BACKEND_API_KEY=b',
  ].join('\n')
  const result = run(project(vars))
  assert.equal(result.status, 1)
  assert.match(result.stderr, /CLIENT_PRIVATE_JWKS is not valid JSON/)
})

test('a port that is taken is named, with what to do; first-run dev keys are made', async () => {
  const server = createServer()
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address()
  const dir = project(undefined)
  const result = run(dir, { PROXY_PORT: String(port), MOCK_PORT: String(port) })
  server.close()
  assert.equal(result.status, 1)
  assert.match(result.stdout, /made dev keys in \.dev\.vars/)
  assert.match(result.stderr, new RegExp(`port ${port} \\(the proxy\\) is taken`))
  assert.doesNotMatch(result.stderr, /\n\s+at /)
})
