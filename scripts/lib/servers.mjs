/**
 * Starts the proxy and the mock identity server under `wrangler dev`, each in
 * its own process (so that their CPU can be told apart), offline. Used by
 * `npm run dev`, the browser test and the benchmark.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { createServer } from 'node:net'
import { delimiter, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { makeSigningKey, publicJwks, randomKey } from '../keys.mjs'

export const OFFLINE_ENV = { WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' }

/** The project's node_modules/.bin first, so that wrangler runs with the Node 22 it needs, however this script was started. */
const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules', '.bin')
export const TOOL_ENV = { ...process.env, ...OFFLINE_ENV, PATH: `${BIN}${delimiter}${process.env.PATH ?? ''}` }

export const portFree = (port) =>
  new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })

/**
 * The first port of the system's ephemeral range: below it, no outgoing connection's local port and no `listen(0)` is
 * ever given out. A port found free is given to a server a moment later (wrangler dev, seconds on), and one taken from
 * the ephemeral range may meanwhile be any connection's local port (every fetch takes one): EADDRINUSE.
 */
const EPHEMERAL_FROM = (() => {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32768
  } catch {
    return 32768 // Linux's default; other systems start higher (49152)
  }
})()
const handedOut = new Set()

/** A port that is free now, below the ephemeral range, and not yet handed out by this process. */
export async function freePort() {
  const from = Math.max(1024, EPHEMERAL_FROM - 12000)
  for (let i = 0; i < 100; i++) {
    const port = from + Math.floor(Math.random() * (EPHEMERAL_FROM - from))
    if (handedOut.has(port) || !(await portFree(port))) continue
    handedOut.add(port)
    return port
  }
  throw new Error(`no free port found between ${from} and ${EPHEMERAL_FROM}`)
}

/**
 * The local setup's settings that follow from the ports: the mock is the issuer, the demo app (on the mock's
 * origin, also reached as localhost) the frontend. `npm run dev` rewrites them on every run; .dev.vars.example holds them for the default ports.
 */
export const localSettings = ({ proxyOrigin, mockOrigin, clientId = 'dev-client', extraOrigins = [] }) => ({
  MONEYHUB_ISSUER: `${mockOrigin}/oidc`,
  MONEYHUB_CLIENT_ID: clientId,
  MONEYHUB_REDIRECT_URI: `${proxyOrigin}/callback`,
  ALLOWED_ORIGINS: [mockOrigin, mockOrigin.replace('//127.0.0.1:', '//localhost:'), ...extraOrigins].join(','),
  DEFAULT_BANK_SELECTOR: 'id:test',
})

/** The local setup's keys, made fresh: kept in .dev.vars by `npm run dev` (which makes any that are missing or empty). */
export const DEV_KEYS = {
  CLIENT_PRIVATE_JWKS: async () => JSON.stringify({ keys: [await makeSigningKey('RS256')] }),
  TOKEN_ENCRYPTION_KEY: async () => randomKey(),
  BACKEND_API_KEY: async () => `dev-${randomKey(24)}`,
  // The dashboard's read-only key (GET /banks/health): never the backend key.
  HEALTH_API_KEY: async () => `dev-health-${randomKey(24)}`,
}

/** .dev.vars.example with fresh keys in its empty key lines: a .dev.vars as `npm run dev` makes it for the default ports. */
export async function exampleWithKeys(text) {
  let filled = text
  for (const [name, make] of Object.entries(DEV_KEYS)) {
    const value = await make()
    filled = filled.replace(new RegExp(`^${name}=$`, 'm'), () => `${name}=${value}`)
  }
  return filled
}

/** A complete configuration for both Workers, with fresh keys (nothing read from .dev.vars). */
export async function freshConfig({ proxyOrigin, mockOrigin, clientId = 'dev-client', extraOrigins = [] }) {
  const privateJwks = await DEV_KEYS.CLIENT_PRIVATE_JWKS()
  const proxyVars = {
    ...localSettings({ proxyOrigin, mockOrigin, clientId, extraOrigins }),
    SESSION_TTL_SECONDS: '600',
    CLIENT_ASSERTION_AUDIENCE: 'token',
    RESPONSE_TYPE: 'code',
    UPSTREAM_TIMEOUT_MS: '10000',
    REFRESH_TOKEN_RETENTION_SECONDS: '7776000',
    EXPIRED_STATUS_SECONDS: '86400',
    WEBHOOK_URL: '',
    WEBHOOK_SECRET: '',
    CLIENT_PRIVATE_JWKS: privateJwks,
    TOKEN_ENCRYPTION_KEY: await DEV_KEYS.TOKEN_ENCRYPTION_KEY(),
    BACKEND_API_KEY: await DEV_KEYS.BACKEND_API_KEY(),
    HEALTH_API_KEY: await DEV_KEYS.HEALTH_API_KEY(),
  }
  const mockVars = {
    CLIENT_ID: clientId,
    CLIENT_REDIRECT_URIS: `${proxyOrigin}/callback`,
    CLIENT_JWKS: JSON.stringify(publicJwks(JSON.parse(privateJwks))),
    PROXY_ORIGIN: proxyOrigin,
    DEMO_BACKEND_API_KEY: proxyVars.BACKEND_API_KEY,
  }
  return { proxyVars, mockVars }
}

/**
 * The `wrangler dev` process groups still running. `wrangler` is a shim that starts the CLI, which starts workerd:
 * killing the shim alone leaves the other two running. Each runs in a group of its own (`detached`), killed as a whole.
 */
const groups = new Set()
/** Process groups are POSIX's: on Windows a detached child gets a console of its own, so there the shim alone is killed. */
const GROUPS = process.platform !== 'win32'
const killGroup = (child, signal) => {
  try {
    if (GROUPS) process.kill(-child.pid, signal)
    else child.kill(signal)
  } catch {} // already gone
}
// However this process ends (a refused setting's process.exit, an uncaught error), its wrangler processes end with it.
process.once('exit', () => groups.forEach((child) => killGroup(child, 'SIGKILL')))

/** Whether a process of the group still runs. On Linux, /proc says so and a zombie waiting to be reaped does not count. */
const groupAlive = (child) => {
  if (!GROUPS) return child.exitCode === null && child.signalCode === null
  if (existsSync('/proc/self/stat')) {
    for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
      let stat
      try {
        stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      } catch {
        continue // gone meanwhile
      }
      // pid (comm) state ppid pgrp …: comm may hold spaces and parentheses, so read after the last ')'.
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(pgrp) === child.pid && state !== 'Z') return true
    }
    return false
  }
  try {
    process.kill(-child.pid, 0)
    return true
  } catch {
    return false
  }
}

/**
 * Stops a `wrangler dev` and everything it started: SIGTERM to its group, SIGKILL after `seconds` (and once the shim is
 * gone). Resolves once the whole group is gone, so a next start finds its port and its local storage free.
 */
async function stopGroup(child, seconds = 10) {
  if (groups.has(child)) {
    const exited = new Promise((r) => child.once('exit', r))
    killGroup(child, 'SIGTERM')
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), seconds * 1000)
    await exited
    clearTimeout(timer)
  }
  for (let i = 0; i < seconds * 20 && groupAlive(child); i++) await new Promise((r) => setTimeout(r, 50))
}

/**
 * wrangler dev's registry of running Workers (for bindings between them, which these two do not have), one of this
 * process's own: in the shared one (~/.config/.wrangler/registry) every other `wrangler dev` on the machine starting or
 * stopping a Worker of the same name reloads these, and a start caught in such reloads may never get ready.
 */
let registryDir
const devRegistry = () => {
  if (!registryDir) {
    registryDir = mkdtempSync(join(tmpdir(), 'wrangler-registry-'))
    process.once('exit', () => rmSync(registryDir, { recursive: true, force: true }))
  }
  return registryDir
}

function wranglerDev(name, args, { vars = {}, onLine, onExit, inspectorPort = 0, cwd }) {
  const varArgs = Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`])
  const child = spawn(
    join(BIN, 'wrangler'),
    ['dev', ...args, '--ip', '127.0.0.1', '--inspector-port', String(inspectorPort), '--show-interactive-dev-session=false', ...varArgs],
    {
      cwd,
      env: { ...TOOL_ENV, WRANGLER_REGISTRY_PATH: devRegistry() },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: GROUPS,
    },
  )
  groups.add(child)
  const lines = (chunk) =>
    chunk
      .toString()
      .split('\n')
      // Offline: wrangler cannot fetch Request.cf data; that is expected and harmless.
      .filter((l) => l.trim() && !/Request\.cf|cf\.json|fetch failed|workers\.cloudflare\.com|GetAddrInfoReqWrap/i.test(l))
      .forEach((l) => onLine?.(name, l))
  child.stdout.on('data', lines)
  child.stderr.on('data', lines)
  child.on('exit', (code) => {
    // The shim is gone: nothing of its group may stay behind (workerd may outlive the CLI by a moment, or a crashed CLI).
    killGroup(child, 'SIGKILL')
    groups.delete(child)
    onExit?.(name, code)
  })
  return child
}

export async function waitFor(url, seconds = 60) {
  const deadline = Date.now() + seconds * 1000
  while (Date.now() < deadline) {
    try {
      // Each try bounded: wrangler's proxy accepts the connection while workerd starts, and holds it if workerd never does.
      if ((await fetch(url, { signal: AbortSignal.timeout(Math.max(1, Math.min(5000, deadline - Date.now()))) })).ok) return
    } catch {}
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error(`${url} did not come up within ${seconds} s`)
}

/**
 * Starts both (or the proxy alone, `withMock: false`; from another checkout, `proxyCwd`); `proxyVars` / `mockVars` override
 * .dev.vars (wrangler --var).
 * `persistTo` keeps their local storage apart from `npm run dev`'s (in a folder each under it).
 */
export async function startServers({
  proxyPort,
  mockPort,
  proxyVars,
  mockVars,
  persistTo,
  onLine,
  onExit,
  proxyConfig = 'wrangler.toml',
  inspectorPort = 0,
  withMock = true,
  proxyCwd,
}) {
  // Each its own folder: two workerd processes opening the same local storage at once can fail to start (SQLITE_BUSY).
  const persist = (name) => (persistTo ? ['--persist-to', join(persistTo, name)] : [])
  // The mock runs from its own directory: wrangler compares ./worker-configuration.d.ts with the config it runs, and the
  // project root's file is the proxy's ("Your types might be out of date" on every start otherwise).
  const mock = withMock
    ? wranglerDev('mock', ['-c', 'wrangler.toml', '--port', String(mockPort), ...persist('mock')], {
        vars: mockVars,
        onLine,
        onExit,
        cwd: resolve('mock'),
      })
    : undefined
  const proxy = wranglerDev('proxy', ['-c', proxyConfig, '--port', String(proxyPort), ...persist('proxy')], {
    vars: proxyVars,
    onLine,
    onExit,
    inspectorPort,
    cwd: proxyCwd,
  })
  const proxyOrigin = `http://127.0.0.1:${proxyPort}`
  const mockOrigin = `http://127.0.0.1:${mockPort}`
  const children = [proxy, mock].filter(Boolean)
  const stop = () => Promise.all(children.map((child) => stopGroup(child)))
  try {
    await Promise.all([...(mock ? [waitFor(`${mockOrigin}/oidc/.well-known/openid-configuration`)] : []), waitFor(`${proxyOrigin}/health`)])
  } catch (error) {
    await stop()
    throw error
  }
  return { proxyOrigin, mockOrigin, proxy, mock, stop }
}
