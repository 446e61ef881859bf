#!/usr/bin/env node
/**
 * npm run dev: the proxy (127.0.0.1:8787) and the mock identity server with the
 * demo app (127.0.0.1:8788) under `wrangler dev`, offline.
 *
 * .dev.vars (git-ignored) keeps the keys and the user's settings; what depends
 * on the ports (issuer, redirect URI, the demo's allowed origins, the mock's
 * view of the proxy) is derived on every run, but only over values npm run dev
 * wrote itself: any other value is kept, or the run is refused, never replaced
 * silently. What changed is said. The settings are then checked with the
 * Worker's own config code (src/config.ts), every problem at once, before
 * anything starts.
 *
 *   npm run dev -- --issuer <url>   the proxy alone, against a real issuer, with the user's own client
 *                                   (docs/local-development.md, "Against Moneyhub's sandbox")
 *   npm run dev -- --fresh          either, after removing the local state (.wrangler/state, mock/.wrangler/state)
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import dotenv from 'dotenv'
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

/** Where wrangler dev keeps each Worker's local storage (KV, Durable Objects, queues) between runs: its default. */
const STATE_DIRS = ['.wrangler/state', 'mock/.wrangler/state']

/**
 * What wrangler says that a user needs nothing of (all of it with --verbose): its banner, the binding tables (printed
 * again on every reload), its start-up steps (the Ready box says where everything is), and its line per request of the
 * proxy, which logs the requests worth a line itself (docs/local-development.md, "Log events"), so each is logged once.
 */
const bindingTable = new Set()
function isChatter(name, line) {
  const text = line.replace(/\x1b\[[0-9;]*m/g, '').trim()
  if (/^Your Worker has access to the following bindings:/.test(text)) return (bindingTable.add(name), true)
  if (bindingTable.has(name) && /^(Binding\s|env\.)/.test(text)) return true
  bindingTable.delete(name)
  return (
    /^⛅️ wrangler|^─+$|^Using (secrets|vars) defined in|^⎔ |Parsed \d+ valid header rules|\[wrangler:info\] Ready on /.test(text) ||
    (name === 'proxy' && /^\[wrangler:info\] [A-Z]+ \S+ \d{3} /.test(text)) ||
    // npm run dev's own readiness checks.
    /^\[wrangler:info\] GET \/(health|oidc\/\.well-known\/openid-configuration) 200 /.test(text)
  )
}

let args
try {
  args = parseArgs({
    options: { issuer: { type: 'string' }, fresh: { type: 'boolean' }, verbose: { type: 'boolean' }, help: { type: 'boolean' } },
  }).values
} catch (error) {
  fail(`${error.message}\n  Usage: npm run dev [-- --fresh] [-- --issuer <your issuer, e.g. https://identity.moneyhub.co.uk/oidc>]`)
}
if (args.help) {
  console.log(`Usage: npm run dev [-- --fresh] [-- --verbose] [-- --issuer <url>]

  (no option)     the proxy and the mock identity server with the demo app, offline
  --verbose       wrangler's own lines too: its banner, the binding tables, a line per request
  --fresh         start with no sessions, KV records or Durable Objects: removes the local state
                  (${STATE_DIRS.join(', ')}); .dev.vars and its keys are kept
  --issuer <url>  the proxy alone, against a real issuer (Moneyhub's sandbox), with your own
                  MONEYHUB_CLIENT_ID, CLIENT_PRIVATE_JWKS and MONEYHUB_REDIRECT_URI from .dev.vars
See docs/local-development.md.`)
  process.exit(0)
}
/** A real issuer (`--issuer`): no mock, and nothing of the user's settings is derived. */
const issuer = args.issuer
if (issuer !== undefined) {
  let url
  try {
    url = new URL(issuer)
  } catch {}
  if (!url || url.protocol !== 'https:')
    fail(`--issuer ${issuer} is not an https URL (e.g. --issuer https://identity.moneyhub.co.uk/oidc).`)
}

// What npm run dev itself writes for the mock on some ports; any other value is the user's, and is never replaced.
const MOCK_ISSUER = /^http:\/\/(127\.0\.0\.1|localhost):\d+\/oidc$/
const LOCAL_CALLBACK = /^http:\/\/(127\.0\.0\.1|localhost):\d+\/callback$/
const origins = (list) =>
  (list ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean)
const demoOrigins = (origin) => [origin.replace('//localhost:', '//127.0.0.1:'), origin.replace('//127.0.0.1:', '//localhost:')]

/**
 * .dev.vars as wrangler reads it (dotenv's parser, which wrangler bundles: `NAME=value`, `NAME='value'`,
 * `NAME="value"`, # comments), with each value's text as written, so that a kept value is written back as it was.
 */
function parseDevVars(path) {
  const text = readFileSync(path, 'utf8')
  const parsed = dotenv.parse(text)
  const raw = {}
  let open // the quote of a value that continues on the next lines
  for (const [i, line] of text.split('\n').entries()) {
    if (open) {
      if (line.trimEnd().endsWith(open)) open = undefined
      continue
    }
    if (!line.trim() || line.trim().startsWith('#')) continue
    const m = line.match(/^\s*(?:export\s+)?([\w.-]+)\s*=(.*)$/)
    if (!m) fail(`${path} line ${i + 1} is not NAME=value. Fix it, or delete the file to have fresh dev keys made.`)
    const value = m[2].trim()
    raw[m[1]] = value
    const quote = value.match(/^['"`]/)?.[0]
    if (quote && (value.length === 1 || !value.slice(1).includes(quote))) open = quote
  }
  return { vars: parsed, raw }
}

/** A value quoted but not as a whole (`NAME='{…}` with no closing quote, or quotes inside): dotenv keeps the quotes. */
const quotingHint = (raw) =>
  raw !== undefined && /^['"`]|['"`]$/.test(raw)
    ? ` (in .dev.vars it is written ${raw.slice(0, 12)}…: quote a value as a whole, NAME='…' or NAME="…", on one line, or not at all)`
    : ''

async function ensureDevVars() {
  const file = existsSync('.dev.vars') ? parseDevVars('.dev.vars') : undefined
  const old = file?.vars
  const raw = file?.raw ?? {}
  if (issuer !== undefined && !old)
    fail(
      'npm run dev -- --issuer runs against your own client: put MONEYHUB_CLIENT_ID, CLIENT_PRIVATE_JWKS and MONEYHUB_REDIRECT_URI in .dev.vars first (docs/local-development.md, "Against Moneyhub\'s sandbox").',
    )
  const derived = localSettings({ proxyOrigin, mockOrigin })
  const vars = {}
  const said = []
  const refused = []
  for (const [name, make] of Object.entries(DEV_KEYS)) {
    if (old?.[name]) vars[name] = old[name]
    else if (issuer !== undefined && name === 'CLIENT_PRIVATE_JWKS')
      refused.push('CLIENT_PRIVATE_JWKS is empty: against a real issuer it must be your key, registered with Moneyhub (npm run keys)')
    else {
      vars[name] = await make()
      if (old) said.push(`made a new ${name} (it was missing or empty)`)
    }
  }
  const has = (name) => Boolean(old?.[name])
  if (issuer === undefined) {
    // The mock is the issuer: npm run dev derives MONEYHUB_ISSUER and MONEYHUB_REDIRECT_URI from the ports,
    // but only over values it wrote itself. Anything else the user wrote is refused, never replaced.
    if (has('MONEYHUB_ISSUER') && !MOCK_ISSUER.test(old.MONEYHUB_ISSUER)) {
      let url
      try {
        url = new URL(old.MONEYHUB_ISSUER)
      } catch {}
      refused.push(
        url
          ? `MONEYHUB_ISSUER is ${old.MONEYHUB_ISSUER}, not the local mock: npm run dev will not replace it. To run against it: npm run dev -- --issuer ${old.MONEYHUB_ISSUER}. To run with the mock: delete the line.`
          : `MONEYHUB_ISSUER is not a URL (${old.MONEYHUB_ISSUER.slice(0, 40)})${quotingHint(raw.MONEYHUB_ISSUER)}: npm run dev will not replace it. Delete the line to have the mock's (${derived.MONEYHUB_ISSUER}), or fix it.`,
      )
    }
    if (has('MONEYHUB_REDIRECT_URI') && !LOCAL_CALLBACK.test(old.MONEYHUB_REDIRECT_URI))
      refused.push(
        `MONEYHUB_REDIRECT_URI is ${old.MONEYHUB_REDIRECT_URI}: with the mock, the bank returns to this proxy (${derived.MONEYHUB_REDIRECT_URI}), and npm run dev will not replace your value. Delete the line (it is derived from the port), or run against your issuer with --issuer.`,
      )
    for (const name of ['MONEYHUB_ISSUER', 'MONEYHUB_REDIRECT_URI']) {
      if (old && has(name) && old[name] !== derived[name]) said.push(`${name}: ${old[name]} → ${derived[name]}`)
      vars[name] = derived[name]
    }
    // The user's client id and bank selector are theirs (the mock registers whichever client id it is given).
    for (const name of ['MONEYHUB_CLIENT_ID', 'DEFAULT_BANK_SELECTOR']) vars[name] = has(name) ? old[name] : derived[name]
    // The user's origins are kept; the demo's (for the ports of this run) are added, those of an earlier run dropped.
    const earlierDemo = MOCK_ISSUER.test(old?.MONEYHUB_ISSUER ?? '') ? demoOrigins(new URL(old.MONEYHUB_ISSUER).origin) : []
    const demo = origins(derived.ALLOWED_ORIGINS)
    const yours = origins(old?.ALLOWED_ORIGINS).filter((o) => !earlierDemo.includes(o) && !demo.includes(o))
    vars.ALLOWED_ORIGINS = [...demo, ...yours].join(',')
    if (old && (old.ALLOWED_ORIGINS ?? '') !== vars.ALLOWED_ORIGINS)
      said.push(`ALLOWED_ORIGINS: ${old.ALLOWED_ORIGINS || '(none)'} → ${vars.ALLOWED_ORIGINS} (yours kept, the demo's added)`)
  } else {
    // A real issuer: everything is the user's. Only MONEYHUB_ISSUER comes from --issuer, and only over the mock's.
    if (has('MONEYHUB_ISSUER') && !MOCK_ISSUER.test(old.MONEYHUB_ISSUER) && old.MONEYHUB_ISSUER !== issuer)
      refused.push(
        `MONEYHUB_ISSUER is ${old.MONEYHUB_ISSUER}, but --issuer is ${issuer}: delete the line, or run with --issuer ${old.MONEYHUB_ISSUER}.`,
      )
    if (!has('MONEYHUB_CLIENT_ID') || old.MONEYHUB_CLIENT_ID === derived.MONEYHUB_CLIENT_ID)
      refused.push(`MONEYHUB_CLIENT_ID is ${old.MONEYHUB_CLIENT_ID || 'empty'}: set your client id from Moneyhub's admin portal.`)
    if (!has('MONEYHUB_REDIRECT_URI'))
      refused.push(`MONEYHUB_REDIRECT_URI is empty: set the redirect URI registered for your client (e.g. ${proxyOrigin}/callback).`)
    for (const [name, value] of Object.entries(old)) if (!(name in vars)) vars[name] = value
    vars.MONEYHUB_ISSUER = issuer
  }
  if (refused.length)
    fail(
      [
        `.dev.vars has ${refused.length} setting${refused.length > 1 ? 's' : ''} that npm run dev${issuer ? ' -- --issuer' : ''} will not overwrite:`,
        ...refused.map((p) => `  - ${p}`),
        'Nothing was changed. See docs/local-development.md.',
      ].join('\n'),
    )
  // Anything else set by hand (RESPONSE_TYPE, WEBHOOK_URL, …) stays as it is.
  const kept = Object.keys(old ?? {}).filter((name) => !(name in vars))
  for (const name of kept) vars[name] = old[name]

  const problems = await configProblems(vars)
  if (problems.length) {
    fail(
      [
        `.dev.vars has ${problems.length} problem${problems.length > 1 ? 's' : ''} (checked with the Worker's own config code):`,
        ...problems.map((p) => `  - ${p}${quotingHint(raw[p.split(' ')[0]])}`),
        'Fix them, or delete .dev.vars to have fresh dev keys made.',
      ].join('\n'),
    )
  }
  // Against a real issuer nothing is written: the issuer goes to wrangler as a --var, .dev.vars stays the user's.
  if (issuer !== undefined) return vars

  // Values as written (quotes and all) when kept; derived and made ones bare, as before.
  const line = (name, value) => `${name}=${old?.[name] === value && raw[name] !== undefined ? raw[name] : value}`
  writeFileSync(
    '.dev.vars',
    [
      '# Made by `npm run dev` for local development only (see .dev.vars.example). Delete it to make new keys.',
      "# The keys and your settings are kept; MONEYHUB_ISSUER and MONEYHUB_REDIRECT_URI follow the ports, and the demo's origins are added to ALLOWED_ORIGINS.",
      ...Object.entries(vars).map(([name, value]) => line(name, value)),
      '',
    ].join('\n'),
  )
  if (!old) console.log('• made dev keys in .dev.vars')
  for (const line of said) console.log(`• .dev.vars: ${line}`)

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
for (const [port, what] of [[PROXY_PORT, 'the proxy'], ...(issuer === undefined ? [[MOCK_PORT, 'the mock identity server']] : [])]) {
  if (!(await portFree(port))) fail(`port ${port} (${what}) is taken. Stop what uses it, or run with PROXY_PORT=… MOCK_PORT=… npm run dev.`)
}
// GET /client.js serves the browser helper built from src/client/browser.ts: keep it current while developing.
if (existsSync('src/client/browser.ts') && (await writeClientModule())) console.log('• rebuilt the browser helper served at /client.js')
// GET /openapi.json serves the document generated from the routes: keep it current too.
if (existsSync('src/index.ts') && (await writeOpenapiAsset())) console.log('• rebuilt the OpenAPI document served at /openapi.json')

let stopping = false
let servers
// Ctrl-C, kill, a closed terminal: the servers (process groups of their own, scripts/lib/servers.mjs) are stopped
// first, even while they start; any other way out (fail()) kills them on exit.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, async () => {
    stopping = true
    await servers?.stop()
    process.exit(0)
  })
}
// wrangler's lines the quiet console left out: said when a start fails, so that the failure can be told without --verbose.
const hidden = []
const failWithHidden = (message) => {
  if (hidden.length) console.error(`wrangler's last lines (shown always with -- --verbose):\n${hidden.join('\n')}`)
  fail(message)
}
if (args.fresh) {
  for (const dir of STATE_DIRS) rmSync(dir, { recursive: true, force: true })
  console.log(`Fresh start: removed the local state (${STATE_DIRS.join(', ')}).`)
}
try {
  servers = await startServers({
    proxyPort: PROXY_PORT,
    mockPort: MOCK_PORT,
    // Against a real issuer: the proxy alone, its issuer given on the command line (.dev.vars is left as it is).
    ...(issuer === undefined ? {} : { withMock: false, proxyVars: { MONEYHUB_ISSUER: issuer } }),
    onLine: (name, line) => {
      if (args.verbose || !isChatter(name, line)) console.log(`[${name}] ${line}`)
      // The binding tables are left out: they say nothing of a failure, and would push out the lines that do.
      else if (!bindingTable.has(name)) hidden.push(`[${name}] ${line}`) > 40 && hidden.shift()
    },
    onExit: (name, code) => {
      if (!stopping) failWithHidden(`${name} stopped (exit ${code}); see its output above.`)
    },
  })
} catch (error) {
  failWithHidden(error.message)
}
if (issuer === undefined)
  console.log(`
✔ Ready, offline.
  Demo app:              ${mockOrigin}/   ← open this, press Connect
  Proxy:                 ${proxyOrigin}   (API: ${proxyOrigin}/openapi.json, browser helper: ${proxyOrigin}/client.js)
  Mock identity server:  ${mockOrigin}/oidc   (discovery: ${mockOrigin}/oidc/.well-known/openid-configuration)
  Allowed origins:       ${vars.ALLOWED_ORIGINS}
  Dev keys and settings: .dev.vars (BACKEND_API_KEY=${vars.BACKEND_API_KEY.slice(0, 8)}…) and mock/.dev.vars
  Saved state:           .wrangler/state (-- --fresh starts without it); wrangler's own lines: -- --verbose
  Bank health:           ${proxyOrigin}/dashboard   (its key: HEALTH_API_KEY in .dev.vars)
  Stop with Ctrl-C.
`)
else {
  const callbacks = [`${proxyOrigin}/callback`, `http://localhost:${PROXY_PORT}/callback`]
  if (!callbacks.includes(vars.MONEYHUB_REDIRECT_URI))
    console.warn(`⚠ MONEYHUB_REDIRECT_URI is ${vars.MONEYHUB_REDIRECT_URI}, not this proxy's ${callbacks[0]}: the bank will return there.`)
  console.log(`
✔ Ready, against ${issuer} (no mock).
  Proxy:                 ${proxyOrigin}   (API: ${proxyOrigin}/openapi.json, browser helper: ${proxyOrigin}/client.js)
  Client:                ${vars.MONEYHUB_CLIENT_ID}, returning to ${vars.MONEYHUB_REDIRECT_URI}
  Allowed origins:       ${vars.ALLOWED_ORIGINS || '(none: only your backend can start sessions)'}
  Settings:              .dev.vars, as you wrote it (BACKEND_API_KEY=${vars.BACKEND_API_KEY.slice(0, 8)}…)
  Stop with Ctrl-C.
`)
}
