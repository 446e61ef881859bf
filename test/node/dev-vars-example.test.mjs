// .dev.vars.example works as it is for the local setup: checked with the Worker's own config code.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { localSettings } from '../../scripts/lib/servers.mjs'
import { configProblems } from '../../scripts/lib/workerCode.mjs'

const text = readFileSync('.dev.vars.example', 'utf8')
const vars = Object.fromEntries(
  text
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith('#'))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
)

test('the Worker accepts it as it is', async () => {
  assert.deepEqual(await configProblems(vars), [])
})

test('it holds what npm run dev derives for the default ports: the demo origin is allowed', () => {
  const local = localSettings({ proxyOrigin: 'http://127.0.0.1:8787', mockOrigin: 'http://127.0.0.1:8788' })
  for (const [name, value] of Object.entries(local)) assert.equal(vars[name], value, name)
  assert.ok(vars.ALLOWED_ORIGINS.split(',').includes('http://127.0.0.1:8788'))
})

test('it lists every setting the README does for local use, with a backend key of 16+ characters', () => {
  for (const name of ['DEFAULT_BANK_SELECTOR', 'WEBHOOK_URL', 'WEBHOOK_SECRET', 'CLIENT_PRIVATE_JWKS', 'TOKEN_ENCRYPTION_KEY'])
    assert.ok(name in vars, name)
  assert.ok(vars.BACKEND_API_KEY.length >= 16)
  assert.doesNotMatch(text, /copied to \.dev\.vars/i)
})

test('its keys are public: the production environment refuses each of them, naming the variable', async () => {
  const production = {
    ...vars,
    ENVIRONMENT: 'production',
    MONEYHUB_ISSUER: 'https://identity.moneyhub.co.uk/oidc',
    MONEYHUB_REDIRECT_URI: 'https://connect.example.com/callback',
    ALLOWED_ORIGINS: 'https://app.example.com',
  }
  const problems = await configProblems(production)
  for (const name of ['CLIENT_PRIVATE_JWKS', 'TOKEN_ENCRYPTION_KEY', 'BACKEND_API_KEY'])
    assert.ok(
      problems.some((p) => p.startsWith(`${name} holds a key published in .dev.vars.example`)),
      `${name}: ${problems.join('; ')}`,
    )
  // Keys of one's own pass.
  const own = { ...production, BACKEND_API_KEY: 'a-backend-key-of-my-own-0123456789' }
  assert.ok(!(await configProblems(own)).some((p) => p.startsWith('BACKEND_API_KEY')))
})
