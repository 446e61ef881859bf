// npm run keys: runs in Node (node --test), as developers run it.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'

const run = (...args) => execFileSync(process.execPath, ['scripts/keys.mjs', ...args], { encoding: 'utf8' })
const line = (out, name) =>
  out
    .split('\n')
    .find((l) => l.startsWith(`${name}=`))
    .slice(name.length + 1)
const dirs = []
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })))
const scratch = () => {
  const dir = mkdtempSync(join(tmpdir(), 'keys-'))
  dirs.push(dir)
  return dir
}
const publicJwks = (out) => JSON.parse(out.slice(out.indexOf('{\n'), out.indexOf('\n}\n') + 2))

test('makes a private JWK Set, its public JWKS, an encryption key and a backend key', () => {
  for (const alg of ['RS256', 'PS256', 'ES256']) {
    const out = run('--alg', alg, '--kid', `k-${alg}`)
    const jwks = JSON.parse(line(out, 'CLIENT_PRIVATE_JWKS'))
    assert.equal(jwks.keys.length, 1)
    assert.equal(jwks.keys[0].kid, `k-${alg}`)
    assert.equal(jwks.keys[0].alg, alg)
    assert.ok(jwks.keys[0].d)
    const pub = publicJwks(out)
    assert.equal(pub.keys[0].kid, `k-${alg}`)
    assert.equal(pub.keys[0].d, undefined)
    assert.equal(Buffer.from(line(out, 'TOKEN_ENCRYPTION_KEY'), 'base64url').length, 32)
    assert.ok(line(out, 'BACKEND_API_KEY').length >= 32)
  }
})

test('the kid defaults to the JWK thumbprint', () => {
  const jwks = JSON.parse(line(run(), 'CLIENT_PRIVATE_JWKS'))
  assert.match(jwks.keys[0].kid, /^[A-Za-z0-9_-]{43}$/)
})

test('--add-to appends a new key after the existing ones (rotation: it signs once moved first)', () => {
  const dir = scratch()
  const file = join(dir, 'jwks.json')
  writeFileSync(file, line(run('--kid', 'old'), 'CLIENT_PRIVATE_JWKS'))
  const out = run('--add-to', file, '--alg', 'ES256', '--kid', 'new')
  assert.deepEqual(
    JSON.parse(line(out, 'CLIENT_PRIVATE_JWKS')).keys.map((k) => k.kid),
    ['old', 'new'],
  )
  assert.deepEqual(
    publicJwks(out).keys.map((k) => k.kid),
    ['old', 'new'],
  )
})

test('refuses an unknown algorithm with a clear message', () => {
  assert.throws(
    () => execFileSync(process.execPath, ['scripts/keys.mjs', '--alg', 'HS256'], { encoding: 'utf8', stdio: 'pipe' }),
    /--alg must be one of/,
  )
})

test('--help prints the usage', () => {
  const out = run('--help')
  assert.match(out, /^Usage: npm run keys -- /)
  assert.match(out, /--add-to/)
  assert.doesNotMatch(out, /CLIENT_PRIVATE_JWKS=\{/) // no key made
})

test('an unknown option is refused with the usage', () => {
  assert.throws(
    () => execFileSync(process.execPath, ['scripts/keys.mjs', '--nope'], { encoding: 'utf8', stdio: 'pipe' }),
    /Usage: npm run keys/,
  )
})

test('--add-to also takes the CLIENT_PRIVATE_JWKS=… line it prints (or a whole .dev.vars)', () => {
  const dir = scratch()
  const file = join(dir, '.dev.vars')
  const printed = run('--kid', 'old')
  writeFileSync(file, `# saved output\nMONEYHUB_CLIENT_ID=x\n${printed.split('\n').find((l) => l.startsWith('CLIENT_PRIVATE_JWKS='))}\n`)
  const out = run('--add-to', file, '--kid', 'new')
  assert.deepEqual(
    JSON.parse(line(out, 'CLIENT_PRIVATE_JWKS')).keys.map((k) => k.kid),
    ['old', 'new'],
  )
})

test('--add-to with something else says what it expects', () => {
  const dir = scratch()
  const file = join(dir, 'x.txt')
  writeFileSync(file, 'hello')
  assert.throws(
    () => execFileSync(process.execPath, ['scripts/keys.mjs', '--add-to', file], { encoding: 'utf8', stdio: 'pipe' }),
    /neither a JWK Set as JSON .* nor a CLIENT_PRIVATE_JWKS=… line/,
  )
})
