#!/usr/bin/env node
/**
 * npm run dev: the proxy (127.0.0.1:8787) and the mock identity server
 * (127.0.0.1:8788) under `wrangler dev`, offline, with dev keys made on first
 * run into .dev.vars and mock/.dev.vars (both git-ignored).
 */
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { makeSigningKey, publicJwks, randomKey } from './keys.mjs'

const PROXY_PORT = Number(process.env.PROXY_PORT ?? 8787)
const MOCK_PORT = Number(process.env.MOCK_PORT ?? 8788)
const proxyOrigin = `http://127.0.0.1:${PROXY_PORT}`
const mockOrigin = `http://127.0.0.1:${MOCK_PORT}`
const CLIENT_ID = 'dev-client'

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
        `MONEYHUB_CLIENT_ID=${CLIENT_ID}`,
        `MONEYHUB_REDIRECT_URI=${proxyOrigin}/callback`,
        `ALLOWED_ORIGINS=${mockOrigin},http://localhost:${MOCK_PORT}`,
        `DEFAULT_BANK_SELECTOR=id:test`,
        `CLIENT_PRIVATE_JWKS=${JSON.stringify(jwks)}`,
        `TOKEN_ENCRYPTION_KEY=${randomKey()}`,
        `BACKEND_API_KEY=dev-${randomKey(24)}`,
        '',
      ].join('\n'),
    )
    console.log('• made dev keys in .dev.vars')
  }
  const vars = parseDevVars('.dev.vars')
  let jwks
  try {
    jwks = JSON.parse(vars.CLIENT_PRIVATE_JWKS ?? '')
  } catch {
    fail('.dev.vars: CLIENT_PRIVATE_JWKS is not valid JSON (one line). Delete .dev.vars to have fresh dev keys made.')
  }
  // The mock knows the proxy as its one registered client, with the proxy's public keys.
  writeFileSync(
    'mock/.dev.vars',
    [
      '# Made by `npm run dev` from ../.dev.vars on every start.',
      `CLIENT_ID=${vars.MONEYHUB_CLIENT_ID ?? CLIENT_ID}`,
      `CLIENT_REDIRECT_URIS=${vars.MONEYHUB_REDIRECT_URI ?? `${proxyOrigin}/callback`}`,
      `CLIENT_JWKS=${JSON.stringify(publicJwks(jwks))}`,
      `PROXY_ORIGIN=${proxyOrigin}`,
      '',
    ].join('\n'),
  )
  return vars
}

const portFree = (port) =>
  new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })

const children = []
function start(name, args) {
  const child = spawn('wrangler', ['dev', ...args, '--ip', '127.0.0.1', '--inspector-port', '0', '--show-interactive-dev-session=false'], {
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const prefix = (chunk) =>
    chunk
      .toString()
      .split('\n')
      .filter((l) => l.trim() && !/Request\.cf|cf\.json|fetch failed/i.test(l))
      .forEach((l) => console.log(`[${name}] ${l}`))
  child.stdout.on('data', prefix)
  child.stderr.on('data', prefix)
  child.on('exit', (code) => {
    if (!shuttingDown) fail(`${name} stopped (exit ${code}); see its output above.`)
  })
  children.push(child)
}

async function waitFor(url, seconds = 60) {
  for (let i = 0; i < seconds * 4; i++) {
    try {
      if ((await fetch(url)).ok) return
    } catch {}
    await new Promise((r) => setTimeout(r, 250))
  }
  fail(`${url} did not come up within ${seconds} s`)
}

let shuttingDown = false
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    shuttingDown = true
    for (const child of children) child.kill('SIGINT')
    process.exit(0)
  })
}

const vars = await ensureDevVars()
for (const [port, what] of [[PROXY_PORT, 'the proxy'], [MOCK_PORT, 'the mock identity server']]) {
  if (!(await portFree(port))) fail(`port ${port} (${what}) is taken. Stop what uses it, or run with PROXY_PORT=… MOCK_PORT=… npm run dev.`)
}
start('mock', ['-c', 'mock/wrangler.toml', '--port', String(MOCK_PORT)])
start('proxy', ['-c', 'wrangler.toml', '--port', String(PROXY_PORT)])
await Promise.all([waitFor(`${mockOrigin}/oidc/.well-known/openid-configuration`), waitFor(`${proxyOrigin}/health`)])
console.log(`
✔ Ready, offline.
  Demo app:              ${mockOrigin}/
  Proxy:                 ${proxyOrigin}   (try ${proxyOrigin}/connect)
  Mock identity server:  ${mockOrigin}/oidc   (discovery: ${mockOrigin}/oidc/.well-known/openid-configuration)
  Dev keys and settings: .dev.vars  (BACKEND_API_KEY=${vars.BACKEND_API_KEY?.slice(0, 8)}…)  and mock/.dev.vars
  Stop with Ctrl-C.
`)
