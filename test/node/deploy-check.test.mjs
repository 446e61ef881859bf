// npm run deploy refuses wrangler.toml's placeholders, listing everything to fill in, before wrangler deploy runs.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { deployProblems } from '../../scripts/check-deploy.mjs'

const toml = readFileSync('wrangler.toml', 'utf8')
const filledIn = toml
  .replace('<your Moneyhub client id>', 'client-123')
  .replace('https://<your worker host>/callback', 'https://moneyhub-edge-connect-production.example.workers.dev/callback')
  .replace('https://<your app>', 'https://app.example.com')
  .replace('<id printed by: wrangler kv namespace create SESSIONS>', '0f2ac74b498b48028cb68387c421e279')

/** An environment where wrangler finds no Cloudflare login: an empty home and config folder, no API token. */
function loggedOut() {
  const home = mkdtempSync(join(tmpdir(), 'no-login-'))
  const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', HOME: home, XDG_CONFIG_HOME: home }
  for (const name of ['CLOUDFLARE_API_TOKEN', 'CLOUDFLARE_API_KEY', 'CLOUDFLARE_EMAIL', 'CF_API_TOKEN', 'CF_API_KEY']) delete env[name]
  return { env, done: () => rmSync(home, { recursive: true, force: true }) }
}

test('npm run deploy without a Cloudflare login says how to log in first, and never opens a browser login', () => {
  const { env, done } = loggedOut()
  const result = spawnSync('npm', ['run', 'deploy'], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 })
  done()
  assert.equal(result.status, 1)
  assert.match(result.stderr, /Not deploying: Not logged in to Cloudflare\. Log in once with npx wrangler login/)
  assert.match(result.stderr, /CLOUDFLARE_API_TOKEN/)
  assert.ok(result.stderr.indexOf('Not logged in') < result.stderr.indexOf('needs these filled in'), 'the login is checked first')
  assert.doesNotMatch(result.stdout + result.stderr, /Opening a link|Uploaded|Total Upload/)
})

test('npm run deploy with the placeholders refuses, listing each one, and never reaches wrangler deploy', () => {
  const { env, done } = loggedOut()
  const result = spawnSync('npm', ['run', 'deploy'], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] })
  done()
  assert.equal(result.status, 1)
  assert.match(result.stderr, /Not deploying: wrangler\.toml needs these filled in first/)
  for (const what of [
    /MONEYHUB_CLIENT_ID is still the placeholder <your Moneyhub client id>/,
    /MONEYHUB_REDIRECT_URI is still the placeholder <your worker host>/,
    /ALLOWED_ORIGINS is still the placeholder <your app>/,
    /\[env\.production\.kv_namespaces\] id is still the placeholder/,
  ])
    assert.match(result.stderr, what)
  assert.doesNotMatch(result.stdout + result.stderr, /Uploaded|Total Upload|Opening a link/)
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
