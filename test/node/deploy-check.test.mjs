// npm run deploy refuses wrangler.toml's placeholders, listing everything to fill in, before wrangler deploy runs.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { deployProblems } from '../../scripts/check-deploy.mjs'

const toml = readFileSync('wrangler.toml', 'utf8')
const filledIn = toml
  .replace('<your Moneyhub client id>', 'client-123')
  .replace('https://<your worker host>/callback', 'https://moneyhub-edge-connect-production.example.workers.dev/callback')
  .replace('https://<your app>', 'https://app.example.com')
  .replace('<id printed by: wrangler kv namespace create SESSIONS>', '0f2ac74b498b48028cb68387c421e279')

test('npm run deploy with the placeholders refuses, listing each one, and never reaches wrangler deploy', () => {
  const result = spawnSync('npm', ['run', 'deploy'], { encoding: 'utf8', env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } })
  assert.equal(result.status, 1)
  assert.match(result.stderr, /Not deploying: wrangler\.toml needs these filled in first/)
  for (const what of [
    /MONEYHUB_CLIENT_ID is still the placeholder <your Moneyhub client id>/,
    /MONEYHUB_REDIRECT_URI is still the placeholder <your worker host>/,
    /ALLOWED_ORIGINS is still the placeholder <your app>/,
    /\[env\.production\.kv_namespaces\] id is still the placeholder/,
  ])
    assert.match(result.stderr, what)
  assert.doesNotMatch(result.stdout + result.stderr, /Uploaded|Total Upload|wrangler login/)
})

test('a filled-in production environment passes', async () => {
  assert.deepEqual(await deployProblems(filledIn), [])
})

test('vars the Worker would reject are named too, with what is wrong', async () => {
  const problems = await deployProblems(
    filledIn.replace('https://moneyhub-edge-connect-production.example.workers.dev/callback', 'http://connect.example.com/callback'),
  )
  assert.deepEqual(problems, [
    '[env.production.vars] MONEYHUB_REDIRECT_URI must use https (http is allowed only for localhost and 127.0.0.1)',
  ])
})
