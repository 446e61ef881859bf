// .dev.vars.example is the local setup with its keys left empty: with the keys npm run dev makes, the Worker's own config code accepts it.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { DEV_KEYS, localSettings } from '../../scripts/lib/servers.mjs'
import { configProblems } from '../../scripts/lib/workerCode.mjs'

const text = readFileSync('.dev.vars.example', 'utf8')
const vars = Object.fromEntries(
  text
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith('#'))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
)

test('it holds no key: a private key is never committed', () => {
  for (const name of Object.keys(DEV_KEYS)) assert.equal(vars[name], '', name)
  assert.doesNotMatch(text, /"d"\s*:/)
})

test('with the keys npm run dev fills in, the Worker accepts it', async () => {
  const filled = { ...vars }
  for (const [name, make] of Object.entries(DEV_KEYS)) filled[name] = await make()
  assert.deepEqual(await configProblems(filled), [])
})

test('it holds what npm run dev derives for the default ports: the demo origin is allowed', () => {
  const local = localSettings({ proxyOrigin: 'http://127.0.0.1:8787', mockOrigin: 'http://127.0.0.1:8788' })
  for (const [name, value] of Object.entries(local)) assert.equal(vars[name], value, name)
  assert.ok(vars.ALLOWED_ORIGINS.split(',').includes('http://127.0.0.1:8788'))
})

test('it lists every setting the README does for local use', () => {
  for (const name of ['DEFAULT_BANK_SELECTOR', 'WEBHOOK_URL', 'WEBHOOK_SECRET', 'CLIENT_PRIVATE_JWKS', 'TOKEN_ENCRYPTION_KEY'])
    assert.ok(name in vars, name)
  assert.doesNotMatch(text, /copied to \.dev\.vars/i)
})
