// npm run dev: clear messages, not stack traces, when the ground is not ready.
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, test } from 'node:test'

import { exampleWithKeys, TOOL_ENV } from '../../scripts/lib/servers.mjs'
import { scratchProject } from './lib/scratchProject.mjs'

const dev = resolve('scripts/dev.mjs')

const projects = []
after(() => projects.forEach((dir) => rmSync(dir, { recursive: true, force: true })))

function project(devVars) {
  const dir = mkdtempSync(join(tmpdir(), 'dev-'))
  projects.push(dir)
  mkdirSync(join(dir, 'mock'))
  if (devVars !== undefined) writeFileSync(join(dir, '.dev.vars'), devVars)
  return dir
}

const run = (cwd, env = {}) =>
  spawnSync(process.execPath, [dev], { cwd, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 })

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

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
const readVars = (file) =>
  Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.includes('=') && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  )

test('bad settings are all listed before anything starts, each with its variable and what is wrong', async () => {
  // The old .dev.vars.example's values: an empty JWK Set, a placeholder encryption key, a 15-character backend key.
  const dir = project(
    [
      'CLIENT_PRIVATE_JWKS={"keys":[]}',
      'TOKEN_ENCRYPTION_KEY=base64url-32-bytes',
      'BACKEND_API_KEY=dev-backend-key',
      'SESSION_TTL_SECONDS=5',
    ].join('\n'),
  )
  const result = run(dir, { PROXY_PORT: String(await freePort()), MOCK_PORT: String(await freePort()) })
  assert.equal(result.status, 1)
  assert.match(result.stderr, /\.dev\.vars has 4 problems/)
  assert.match(result.stderr, /- CLIENT_PRIVATE_JWKS must be a JWK Set of private keys/)
  assert.match(result.stderr, /- TOKEN_ENCRYPTION_KEY must be 32 bytes, base64url-encoded/)
  assert.match(result.stderr, /- BACKEND_API_KEY must be at least 16 characters/)
  assert.match(result.stderr, /- SESSION_TTL_SECONDS must be an integer from 60 to 3600/)
  assert.doesNotMatch(result.stdout, /Ready/)
  assert.doesNotMatch(result.stderr, /\n\s+at /)
})

test('other ports: everything that depends on them is derived again, the keys are kept, and the changes are said', async () => {
  const oldText = await exampleWithKeys(readFileSync('.dev.vars.example', 'utf8')) // made for the default ports 8787 / 8788
  const dir = project(oldText)
  const old = Object.fromEntries(
    oldText
      .split('\n')
      .filter((l) => l.includes('=') && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  )
  const taken = createServer()
  await new Promise((r) => taken.listen(0, '127.0.0.1', r))
  const proxyPort = taken.address().port // taken, so that the run stops after writing the settings
  const mockPort = await freePort()
  const result = run(dir, { PROXY_PORT: String(proxyPort), MOCK_PORT: String(mockPort) })
  taken.close()
  assert.match(result.stderr, /is taken/)
  const vars = readVars(join(dir, '.dev.vars'))
  assert.equal(vars.MONEYHUB_ISSUER, `http://127.0.0.1:${mockPort}/oidc`)
  assert.equal(vars.MONEYHUB_REDIRECT_URI, `http://127.0.0.1:${proxyPort}/callback`)
  assert.equal(vars.ALLOWED_ORIGINS, `http://127.0.0.1:${mockPort},http://localhost:${mockPort}`)
  for (const key of ['CLIENT_PRIVATE_JWKS', 'TOKEN_ENCRYPTION_KEY', 'BACKEND_API_KEY']) assert.equal(vars[key], old[key], key)
  assert.match(result.stdout, new RegExp(`MONEYHUB_ISSUER: http://127\\.0\\.0\\.1:8788/oidc → http://127\\.0\\.0\\.1:${mockPort}/oidc`))
  assert.match(result.stdout, /MONEYHUB_REDIRECT_URI: .* → /)
  assert.match(result.stdout, /ALLOWED_ORIGINS: .* → /)
  const mock = readVars(join(dir, 'mock', '.dev.vars'))
  assert.equal(mock.PROXY_ORIGIN, `http://127.0.0.1:${proxyPort}`)
  assert.equal(mock.CLIENT_REDIRECT_URIS, `http://127.0.0.1:${proxyPort}/callback`)
})

test('a copy of .dev.vars.example works: its empty keys are made, said, and pass the config check', async () => {
  const dir = project(readFileSync('.dev.vars.example', 'utf8'))
  const taken = createServer()
  await new Promise((r) => taken.listen(0, '127.0.0.1', r))
  const result = run(dir, { PROXY_PORT: String(taken.address().port), MOCK_PORT: String(await freePort()) })
  taken.close()
  // It gets past the settings check and stops only at the taken port.
  assert.match(result.stderr, /is taken/)
  assert.doesNotMatch(result.stderr, /problem/)
  const vars = readVars(join(dir, '.dev.vars'))
  for (const key of ['CLIENT_PRIVATE_JWKS', 'TOKEN_ENCRYPTION_KEY', 'BACKEND_API_KEY']) {
    assert.ok(vars[key], key)
    assert.match(result.stdout, new RegExp(`made a new ${key} \\(it was missing or empty\\)`))
  }
})

/** The processes whose working directory or command line is in `dir` (Linux's /proc). */
function processesIn(dir) {
  const found = []
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cwd = readlinkSync(`/proc/${pid}/cwd`)
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')
      if (cwd.startsWith(dir) || command.includes(dir)) found.push({ pid: Number(pid), command })
    } catch {} // gone, or not ours to read
  }
  return found
}

test(
  'when one server stops during the start, npm run dev fails and leaves no wrangler process behind',
  { skip: process.platform !== 'linux' && 'reads /proc', timeout: 120_000 },
  async () => {
    const dir = scratchProject(await exampleWithKeys(readFileSync('.dev.vars.example', 'utf8')))
    // The mock's wrangler stops at once (its config does not parse) while the proxy's is still starting.
    writeFileSync(join(dir, 'mock', 'wrangler.toml'), 'this is = not toml =\n')
    try {
      const child = spawn(process.execPath, [dev], {
        cwd: dir,
        env: { ...TOOL_ENV, PROXY_PORT: String(await freePort()), MOCK_PORT: String(await freePort()) },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let stderr = ''
      child.stderr.on('data', (chunk) => (stderr += chunk))
      const code = await new Promise((r) => child.once('exit', r))
      assert.equal(code, 1)
      assert.match(stderr, /mock stopped \(exit \d+\)/)
      // Nothing of the proxy's wrangler (shim, CLI, workerd) outlives it.
      let left = processesIn(dir)
      for (const until = Date.now() + 15_000; left.length && Date.now() < until; left = processesIn(dir))
        await new Promise((r) => setTimeout(r, 250))
      assert.deepEqual(left, [], 'processes left behind')
    } finally {
      for (const { pid } of processesIn(dir)) {
        try {
          process.kill(pid, 'SIGKILL')
        } catch {}
      }
      rmSync(dir, { recursive: true, force: true })
    }
  },
)
