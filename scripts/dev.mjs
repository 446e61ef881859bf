#!/usr/bin/env node
/**
 * npm run dev: the proxy (127.0.0.1:8787) and the mock identity server with the
 * demo app (127.0.0.1:8788) under `wrangler dev`, offline, with dev keys made
 * on first run into .dev.vars and mock/.dev.vars (both git-ignored).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { makeSigningKey, publicJwks, randomKey } from './keys.mjs'
import { portFree, startServers } from './lib/servers.mjs'

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
  if (!existsSync('.dev.vars')) {
    const jwks = { keys: [await makeSigningKey('RS256')] }
    writeFileSync(
      '.dev.vars',
      [
        '# Made by `npm run dev` for local development only. Delete it to make new keys.',
        `MONEYHUB_ISSUER=${mockOrigin}/oidc`,
        'MONEYHUB_CLIENT_ID=dev-client',
        `MONEYHUB_REDIRECT_URI=${proxyOrigin}/callback`,
        `ALLOWED_ORIGINS=${mockOrigin},http://localhost:${MOCK_PORT}`,
        'DEFAULT_BANK_SELECTOR=id:test',
        `CLIENT_PRIVATE_JWKS=${JSON.stringify(jwks)}`,
        `TOKEN_ENCRYPTION_KEY=${randomKey()}`,
        `BACKEND_API_KEY=dev-${randomKey(24)}`,
        '',
      ].join('\n'),
    )
    console.log('• made dev keys in .dev.vars')
  }
  const vars = parseDevVars('.dev.vars')
  for (const name of [
    'MONEYHUB_ISSUER',
    'MONEYHUB_CLIENT_ID',
    'MONEYHUB_REDIRECT_URI',
    'CLIENT_PRIVATE_JWKS',
    'TOKEN_ENCRYPTION_KEY',
    'BACKEND_API_KEY',
  ]) {
    if (!vars[name]) fail(`.dev.vars has no ${name}. Add it (see .dev.vars.example), or delete .dev.vars to have fresh dev keys made.`)
  }
  let jwks
  try {
    jwks = JSON.parse(vars.CLIENT_PRIVATE_JWKS)
  } catch {
    fail('.dev.vars: CLIENT_PRIVATE_JWKS is not valid JSON (it must be on one line). Delete .dev.vars to have fresh dev keys made.')
  }
  // The mock knows the proxy as its one registered client, with the proxy's public keys.
  writeFileSync(
    'mock/.dev.vars',
    [
      '# Made by `npm run dev` from ../.dev.vars on every start.',
      `CLIENT_ID=${vars.MONEYHUB_CLIENT_ID}`,
      `CLIENT_REDIRECT_URIS=${vars.MONEYHUB_REDIRECT_URI}`,
      `CLIENT_JWKS=${JSON.stringify(publicJwks(jwks))}`,
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
  Proxy:                 ${proxyOrigin}   (API: ${proxyOrigin}/openapi.json)
  Mock identity server:  ${mockOrigin}/oidc   (discovery: ${mockOrigin}/oidc/.well-known/openid-configuration)
  Dev keys and settings: .dev.vars (BACKEND_API_KEY=${vars.BACKEND_API_KEY.slice(0, 8)}…) and mock/.dev.vars
  Stop with Ctrl-C.
`)
