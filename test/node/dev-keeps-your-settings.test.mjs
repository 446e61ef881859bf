// npm run dev never silently replaces a setting the user wrote: it keeps it, or refuses loudly and changes nothing.
// npm run dev -- --issuer <url> runs the proxy alone against a real issuer with the user's own client.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, test } from 'node:test'
import { exampleWithKeys } from '../../scripts/lib/servers.mjs'

const dirs = []
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })))
function project(devVars) {
  const dir = mkdtempSync(join(tmpdir(), 'dev-'))
  dirs.push(dir)
  mkdirSync(join(dir, 'mock'))
  writeFileSync(join(dir, '.dev.vars'), devVars)
  return dir
}
/** Runs npm run dev with the proxy's port taken: it stops right after checking (and perhaps writing) the settings. */
async function run(dir, args = []) {
  const taken = createServer()
  await new Promise((r) => taken.listen(0, '127.0.0.1', r))
  const result = spawnSync(process.execPath, [resolve('scripts/dev.mjs'), ...args], {
    cwd: dir,
    env: { ...process.env, PROXY_PORT: String(taken.address().port), MOCK_PORT: '0' },
    encoding: 'utf8',
    timeout: 30_000,
  })
  taken.close()
  return result
}
const example = await exampleWithKeys(readFileSync('.dev.vars.example', 'utf8'))
const withLine = (name, value) => example.replace(new RegExp(`^${name}=.*$`, 'm'), `${name}=${value}`)

test('a malformed MONEYHUB_ISSUER is refused loudly, not replaced', async () => {
  const text = withLine('MONEYHUB_ISSUER', 'htp//not a url')
  const dir = project(text)
  const result = await run(dir)
  assert.equal(result.status, 1)
  assert.match(result.stderr, /will not overwrite/)
  assert.match(result.stderr, /MONEYHUB_ISSUER is not a URL \(htp\/\/not a url\).*will not replace it\. Delete the line/)
  assert.equal(readFileSync(join(dir, '.dev.vars'), 'utf8'), text, '.dev.vars is unchanged')
})

test('a real issuer in .dev.vars is kept: the mock run is refused, pointing at --issuer', async () => {
  const text = withLine('MONEYHUB_ISSUER', 'https://identity.moneyhub.co.uk/oidc')
  const dir = project(text)
  const result = await run(dir)
  assert.equal(result.status, 1)
  assert.match(result.stderr, /MONEYHUB_ISSUER is https:\/\/identity\.moneyhub\.co\.uk\/oidc, not the local mock/)
  assert.match(result.stderr, /npm run dev -- --issuer https:\/\/identity\.moneyhub\.co\.uk\/oidc/)
  assert.equal(readFileSync(join(dir, '.dev.vars'), 'utf8'), text)
})

test('a redirect URI of your own is refused with the mock, not replaced', async () => {
  const text = withLine('MONEYHUB_REDIRECT_URI', 'https://connect.example.com/callback')
  const dir = project(text)
  const result = await run(dir)
  assert.equal(result.status, 1)
  assert.match(result.stderr, /MONEYHUB_REDIRECT_URI is https:\/\/connect\.example\.com\/callback/)
  assert.equal(readFileSync(join(dir, '.dev.vars'), 'utf8'), text)
})

test('your client id is kept with the mock (the mock registers it)', async () => {
  const dir = project(withLine('MONEYHUB_CLIENT_ID', 'my-client-7'))
  const result = await run(dir)
  assert.match(result.stderr, /is taken/)
  assert.match(readFileSync(join(dir, '.dev.vars'), 'utf8'), /^MONEYHUB_CLIENT_ID=my-client-7$/m)
  assert.match(readFileSync(join(dir, 'mock', '.dev.vars'), 'utf8'), /^CLIENT_ID=my-client-7$/m)
})

test('--issuer: the mock client id is refused, with what to set', async () => {
  const dir = project(example)
  const result = await run(dir, ['--issuer', 'https://identity.moneyhub.co.uk/oidc'])
  assert.equal(result.status, 1)
  assert.match(result.stderr, /MONEYHUB_CLIENT_ID is dev-client: set your client id/)
  assert.equal(readFileSync(join(dir, '.dev.vars'), 'utf8'), example)
})

test('--issuer that is not an https URL is refused', async () => {
  const result = await run(project(example), ['--issuer', 'identity.moneyhub.co.uk'])
  assert.equal(result.status, 1)
  assert.match(result.stderr, /--issuer identity\.moneyhub\.co\.uk is not an https URL/)
})

test('--issuer with your own client: the settings pass, nothing is rewritten, and only the proxy is started', async () => {
  const text = withLine('MONEYHUB_CLIENT_ID', 'my-client-7').replace(/^ALLOWED_ORIGINS=.*$/m, 'ALLOWED_ORIGINS=http://127.0.0.1:9000')
  const dir = project(text)
  const result = await run(dir, ['--issuer', 'https://identity.moneyhub.co.uk/oidc'])
  assert.equal(result.status, 1)
  assert.match(result.stderr, /\(the proxy\) is taken/) // past every settings check
  assert.doesNotMatch(result.stderr, /problem|will not overwrite/)
  assert.equal(readFileSync(join(dir, '.dev.vars'), 'utf8'), text, '.dev.vars stays as you wrote it')
})
