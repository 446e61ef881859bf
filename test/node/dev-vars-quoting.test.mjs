// .dev.vars is read as wrangler reads it (dotenv's parser): quoted values are accepted, and a value that still
// fails says how to quote it.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, test } from 'node:test'
import { DEV_KEYS } from '../../scripts/lib/servers.mjs'

const dirs = []
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })))
async function run(devVars) {
  const dir = mkdtempSync(join(tmpdir(), 'dev-'))
  dirs.push(dir)
  mkdirSync(join(dir, 'mock'))
  writeFileSync(join(dir, '.dev.vars'), devVars)
  const taken = createServer()
  await new Promise((r) => taken.listen(0, '127.0.0.1', r))
  const result = spawnSync(process.execPath, [resolve('scripts/dev.mjs')], {
    cwd: dir,
    env: { ...process.env, PROXY_PORT: String(taken.address().port), MOCK_PORT: '0' },
    encoding: 'utf8',
    timeout: 30_000,
  })
  taken.close()
  return { ...result, written: readFileSync(join(dir, '.dev.vars'), 'utf8') }
}
const jwks = await DEV_KEYS.CLIENT_PRIVATE_JWKS()
const key = await DEV_KEYS.TOKEN_ENCRYPTION_KEY()

test('single- and double-quoted values are accepted, and written back as they were', async () => {
  const lines = [
    `CLIENT_PRIVATE_JWKS='${jwks}'`,
    `TOKEN_ENCRYPTION_KEY="${key}"`,
    'BACKEND_API_KEY="dev-backend-key-0123456789" # a comment',
  ]
  const result = await run(lines.join('\n'))
  assert.match(result.stderr, /is taken/) // past the settings check
  assert.doesNotMatch(result.stderr, /problem/)
  assert.ok(result.written.includes(lines[0]), 'the JWK Set keeps its quotes')
  assert.ok(result.written.includes(lines[1]))
})

test('a value quoted but not closed fails with a hint about quoting', async () => {
  const result = await run([`CLIENT_PRIVATE_JWKS='${jwks}`, `TOKEN_ENCRYPTION_KEY=${key}`].join('\n'))
  assert.equal(result.status, 1)
  assert.match(
    result.stderr,
    /CLIENT_PRIVATE_JWKS is not valid JSON.*quote a value as a whole, NAME='…' or NAME="…", on one line, or not at all/,
  )
})
