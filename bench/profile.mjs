#!/usr/bin/env node
/**
 * npm run bench:profile: where a connection's CPU goes inside workerd. Runs the bench Worker under `wrangler dev` (as
 * npm run bench does) with its inspector on a port, warms it up, then for each of BENCH_PROFILE_FLOWS connections at
 * concurrency 1 records the V8 CPU profile (Profiler.start / Profiler.stop over the inspector's WebSocket) around the
 * launch (GET /sessions/:id/authorize) and around the callback (GET /callback), its Durable Objects' work and what it
 * hands to waitUntil included (they run in the same isolate under wrangler dev). Prints, per request, the self time
 * by function and by source module (the bundle's `// path` markers), and writes bench/results/profile.json.
 */
import { BENCH_CONFIG, writeBenchConfig } from './benchConfig.mjs'
import { connectionFlow } from './flow.mjs'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort, freshConfig, startServers } from '../scripts/lib/servers.mjs'

const FLOWS = Number(process.env.BENCH_PROFILE_FLOWS ?? 40)
const TOP = Number(process.env.BENCH_PROFILE_TOP ?? 25)
/** Sampling interval in µs (V8's default is 1000; finer shows the small costs). */
const INTERVAL_US = 100
/** After the answer, how long the profile keeps running: the waitUntil work (counting, webhooks) finishes in it. */
const TAIL_MS = 60

mkdirSync('bench/results', { recursive: true })
// The same bench Worker config as npm run bench (bench/run.mjs writes it; made here too when it is missing).
writeBenchConfig()

const [proxyPort, mockPort, inspectorPort] = [await freePort(), await freePort(), await freePort()]
const proxyOrigin = `http://127.0.0.1:${proxyPort}`
const mockOrigin = `http://127.0.0.1:${mockPort}`
const { proxyVars, mockVars } = await freshConfig({ proxyOrigin, mockOrigin })
const state = mkdtempSync(join(tmpdir(), 'bench-profile-'))
process.on('exit', () => rmSync(state, { recursive: true, force: true }))
/** Set once the servers run: an interrupted run stops them before it exits. */
let stopServers = async () => {}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stopServers().finally(() => process.exit(130)))
const log = []
const begun = performance.now()
const progress = (what) => console.log(`[${String(Math.round((performance.now() - begun) / 1000)).padStart(3)} s] ${what}…`)
progress('starting the bench Worker (inspector on) and the mock under wrangler dev')
const servers = await startServers({
  proxyPort,
  mockPort,
  proxyVars,
  mockVars,
  proxyConfig: BENCH_CONFIG,
  persistTo: state,
  inspectorPort,
  onLine: (name, line) => log.push(`[${name}] ${line}`),
})
stopServers = servers.stop

/** The inspector, as DevTools speaks to it: JSON messages over a WebSocket (wrangler dev's inspector proxy). */
async function inspector() {
  const targets = await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()
  const target = targets.find((t) => t.webSocketDebuggerUrl) ?? targets[0]
  // wrangler's inspector proxy admits DevTools from a local Origin only (Node's WebSocket takes headers as undici's option).
  const socket = new WebSocket(target.webSocketDebuggerUrl, { headers: { origin: 'http://127.0.0.1' } })
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve, { once: true })
    socket.addEventListener('error', reject, { once: true })
  })
  let next = 0
  const waiting = new Map()
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data))
    const pending = waiting.get(message.id)
    if (!pending) return
    waiting.delete(message.id)
    message.error ? pending.reject(new Error(message.error.message)) : pending.resolve(message.result)
  })
  const send = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = ++next
      waiting.set(id, { resolve, reject })
      socket.send(JSON.stringify({ id, method, params }))
    })
  return { send, close: () => socket.close() }
}

const profiles = { launch: [], callback: [] }
let devtools

/** The profile of one request: started before it is sent, stopped TAIL_MS after its answer. */
async function profiled(kind, send) {
  if (devtools) await devtools.send('Profiler.start')
  const response = await send()
  await response.arrayBuffer()
  if (devtools) {
    await new Promise((r) => setTimeout(r, TAIL_MS))
    profiles[kind].push((await devtools.send('Profiler.stop')).profile)
  }
  return response
}

/** The flow's launch and callback are profiled; its other requests are only sent. */
const PROFILED = { 'GET /sessions/:id/authorize': 'launch', 'GET /callback': 'callback' }
const flow = () =>
  connectionFlow(proxyOrigin, proxyVars.BACKEND_API_KEY, (route, request) =>
    PROFILED[route] ? profiled(PROFILED[route], request) : request(),
  )

/** The bundle wrangler dev runs (bench/.wrangler/tmp/dev-…/worker.js, the newest), read while it exists. */
let bundlePath
function findBundle() {
  const dir = 'bench/.wrangler/tmp'
  const candidates = readdirSync(dir)
    .filter((d) => d.startsWith('dev-') && existsSync(join(dir, d, 'worker.js')))
    .map((d) => join(dir, d, 'worker.js'))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)
  return candidates[0]
}

/** The bundle's `// path` markers, which esbuild writes at the start of each module. */
function moduleMarkers(url) {
  try {
    const path = url === 'worker.js' || url.endsWith('/worker.js') ? bundlePath : url.startsWith('file:') ? fileURLToPath(url) : url
    const lines = readFileSync(path, 'utf8').split('\n')
    const markers = []
    lines.forEach((line, i) => {
      const m = /^\/\/ (\S+\.(?:ts|js|mjs))$/.exec(line)
      if (m) markers.push([i, m[1].replace(/^(\.\.\/)+/, '').replace(/^node_modules\/(\.pnpm\/)?/, '')])
    })
    return markers
  } catch {
    return []
  }
}
const markerCache = new Map()
function moduleOf(url, line) {
  if (!url) return '(native)'
  if (!markerCache.has(url)) markerCache.set(url, moduleMarkers(url))
  const markers = markerCache.get(url)
  let found = url.split('/').pop()
  for (const [at, path] of markers) {
    if (at > line) break
    found = path
  }
  // A package, not its files.
  const pkg = /^((?:@[^/]+\/)?[^/]+)\/(?:dist|build|lib|esm|src)\//.exec(found)
  return pkg && !found.startsWith('src/') && !found.startsWith('bench/') ? pkg[1] : found
}

/** Self time (ms) per function and per module, summed over the profiles and divided by their count. */
function aggregate(list) {
  const byFunction = new Map()
  const byModule = new Map()
  let total = 0
  let outside = 0
  let wall = 0
  for (const profile of list) {
    wall += (profile.endTime - profile.startTime) / 1000
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]))
    profile.samples.forEach((id, i) => {
      const node = nodes.get(id)
      const ms = (profile.timeDeltas[i] ?? 0) / 1000
      const { functionName, url, lineNumber } = node.callFrame
      // workerd does not tell V8 when it waits: waiting and its own C++ work (storage, I/O) both show as (program).
      if (functionName === '(idle)' || functionName === '(program)') {
        outside += ms
        return
      }
      const module = moduleOf(url, lineNumber)
      const key = `${functionName || '(anonymous)'}  ${module}`
      byFunction.set(key, (byFunction.get(key) ?? 0) + ms)
      byModule.set(module, (byModule.get(module) ?? 0) + ms)
      total += ms
    })
  }
  const n = list.length || 1
  const sorted = (map) =>
    [...map]
      .map(([name, ms]) => ({ name, ms: ms / n }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, TOP)
  return {
    profiles: list.length,
    msPerRequest: total / n,
    outsideJsMsPerRequest: outside / n,
    windowMsPerRequest: wall / n,
    functions: sorted(byFunction),
    modules: sorted(byModule),
  }
}

const results = {}
try {
  progress('warm-up (20 connections)')
  for (let i = 0; i < 20; i++) await flow()
  devtools = await inspector()
  await devtools.send('Profiler.enable')
  await devtools.send('Profiler.setSamplingInterval', { interval: INTERVAL_US })
  progress(`profiling ${FLOWS} connections' launch and callback (sampling every ${INTERVAL_US} µs)`)
  for (let i = 0; i < FLOWS; i++) await flow()
  bundlePath = findBundle()
  for (const kind of ['launch', 'callback']) results[kind] = aggregate(profiles[kind])
  devtools.close()
} catch (error) {
  console.error(log.slice(-30).join('\n'))
  throw error
} finally {
  await servers.stop()
}

writeFileSync(
  'bench/results/profile.json',
  `${JSON.stringify({ at: new Date().toISOString(), intervalUs: INTERVAL_US, ...results }, null, 2)}\n`,
)
for (const [kind, r] of Object.entries(results)) {
  console.log(
    `\n${kind === 'launch' ? 'GET /sessions/:id/authorize' : 'GET /callback'}: ${r.msPerRequest.toFixed(2)} ms in JavaScript per request ` +
      `(${r.profiles} profiles of ${r.windowMsPerRequest.toFixed(1)} ms each; ${r.outsideJsMsPerRequest.toFixed(1)} ms outside JavaScript: waiting, and workerd's own work)`,
  )
  console.log('  by module (self time, ms per request)')
  for (const { name, ms } of r.modules) console.log(`    ${ms.toFixed(3).padStart(7)}  ${name}`)
  console.log('  by function (self time, ms per request)')
  for (const { name, ms } of r.functions) console.log(`    ${ms.toFixed(3).padStart(7)}  ${name}`)
}
console.log(`\nwritten to bench/results/profile.json (${Math.round((performance.now() - begun) / 1000)} s in all)`)
