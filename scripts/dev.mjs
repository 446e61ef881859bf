#!/usr/bin/env node
/**
 * npm run dev: the proxy (127.0.0.1:8787) and the mock identity server with the
 * demo app (127.0.0.1:8788) under `wrangler dev`, offline.
 *
 * .dev.vars (git-ignored) keeps only what must survive a restart, the keys;
 * everything that depends on the ports (issuer, redirect URI, allowed origins,
 * the mock's view of the proxy) is derived on every run, and what changed is
 * said. The settings are then checked with the Worker's own config code
 * (src/config.ts), every problem at once, before anything starts.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { publicJwks } from './keys.mjs'
import { DEV_KEYS, localSettings, portFree, startServers } from './lib/servers.mjs'
import { configProblems, writeClientModule, writeOpenapiAsset } from './lib/workerCode.mjs'

const PROXY_PORT = Number(process.env.PROXY_PORT ?? 8787)
const MOCK_PORT = Number(process.env.MOCK_PORT ?? 8788)
const proxyOrigin = `http://127.0.0.1:${PROXY_PORT}`
const mockOrigin = `http://127.0.0.1:${MOCK_PORT}`

const fail = (message) => {
  console.error(`\n✖ ${message}\n`)
  process.exit(1)
}

function parseDevVars(path) {
  const vars = {}
  for (const [i, line] of readFileSync(path, 'utf8').split('\n').entries()) {
    if (!line.trim() || line.trim().startsWith('#')) continue
    const eq = line.indexOf('=')
    if (eq < 1) fail(`${path} line ${i + 1} is not NAME=value. Fix it, or delete the file to have fresh dev keys made.`)
    vars[line.slice(0, eq).trim()] = line.slice(eq + 1).trim()
  }
  return vars
}

async function ensureDevVars() {
  const old = existsSync('.dev.vars') ? parseDevVars('.dev.vars') : undefined
  const derived = localSettings({ proxyOrigin, mockOrigin })
  const vars = {}
  const said = []
  for (const [name, make] of Object.entries(DEV_KEYS)) {
    if (old?.[name]) vars[name] = old[name]
    else {
      vars[name] = await make()
      if (old) said.push(`made a new ${name} (it was missing or empty)`)
    }
  }
  for (const [name, value] of Object.entries(derived)) {
    if (old && old[name] !== value) said.push(`${name}: ${old[name] ?? '(none)'} → ${value}`)
    vars[name] = value
  }
  // Anything else set by hand (RESPONSE_TYPE, WEBHOOK_URL, …) stays as it is.
  const kept = Object.keys(old ?? {}).filter((name) => !(name in vars))
  for (const name of kept) vars[name] = old[name]

  writeFileSync(
    '.dev.vars',
    [
      '# Made by `npm run dev` for local development only (see .dev.vars.example). Delete it to make new keys.',
      '# The keys are kept; the settings that depend on the ports are rewritten on every run.',
      ...Object.entries(vars).map(([name, value]) => `${name}=${value}`),
      '',
    ].join('\n'),
  )
  if (!old) console.log('• made dev keys in .dev.vars')
  for (const line of said) console.log(`• .dev.vars: ${line}`)

  const problems = await configProblems(vars)
  if (problems.length) {
    fail(
      [
        `.dev.vars has ${problems.length} problem${problems.length > 1 ? 's' : ''} (checked with the Worker's own config code):`,
        ...problems.map((p) => `  - ${p}`),
        'Fix them, or delete .dev.vars to have fresh dev keys made.',
      ].join('\n'),
    )
  }

  // The mock knows the proxy as its one registered client, with the proxy's public keys.
  writeFileSync(
    'mock/.dev.vars',
    [
      '# Made by `npm run dev` from ../.dev.vars on every start.',
      `CLIENT_ID=${vars.MONEYHUB_CLIENT_ID}`,
      `CLIENT_REDIRECT_URIS=${vars.MONEYHUB_REDIRECT_URI}`,
      `CLIENT_JWKS=${JSON.stringify(publicJwks(JSON.parse(vars.CLIENT_PRIVATE_JWKS)))}`,
      // Registered as the proxy is set: empty means the first key's algorithm on both sides.
      `CLIENT_REQUEST_OBJECT_SIGNING_ALG=${vars.REQUEST_OBJECT_SIGNING_ALG ?? ''}`,
      `PROXY_ORIGIN=${proxyOrigin}`,
      `DEMO_BACKEND_API_KEY=${vars.BACKEND_API_KEY}`,
      '',
    ].join('\n'),
  )
  return vars
}

const vars = await ensureDevVars()
for (const [port, what] of [
  [PROXY_PORT, 'the proxy'],
  [MOCK_PORT, 'the mock identity server'],
]) {
  if (!(await portFree(port))) fail(`port ${port} (${what}) is taken. Stop what uses it, or run with PROXY_PORT=… MOCK_PORT=… npm run dev.`)
}
// GET /client.js serves the browser helper built from src/client/browser.ts: keep it current while developing.
if (existsSync('src/client/browser.ts') && (await writeClientModule())) console.log('• rebuilt the browser helper served at /client.js')
// GET /openapi.json serves the document generated from the routes: keep it current too.
if (existsSync('src/index.ts') && (await writeOpenapiAsset())) console.log('• rebuilt the OpenAPI document served at /openapi.json')

let stopping = false
let servers
try {
  servers = await startServers({
    proxyPort: PROXY_PORT,
    mockPort: MOCK_PORT,
    onLine: (name, line) => console.log(`[${name}] ${line}`),
    onExit: (name, code) => {
      if (!stopping) fail(`${name} stopped (exit ${code}); see its output above.`)
    },
  })
} catch (error) {
  fail(error.message)
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    stopping = true
    await servers.stop()
    process.exit(0)
  })
}
console.log(`
✔ Ready, offline.
  Demo app:              ${mockOrigin}/   ← open this, press Connect
  Proxy:                 ${proxyOrigin}   (API: ${proxyOrigin}/openapi.json, browser helper: ${proxyOrigin}/client.js)
  Mock identity server:  ${mockOrigin}/oidc   (discovery: ${mockOrigin}/oidc/.well-known/openid-configuration)
  Dev keys and settings: .dev.vars (BACKEND_API_KEY=${vars.BACKEND_API_KEY.slice(0, 8)}…) and mock/.dev.vars
  Stop with Ctrl-C.
`)
