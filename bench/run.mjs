#!/usr/bin/env node
/**
 * npm run bench: the Worker in workerd (wrangler dev) against the mock identity
 * server (its own process, not counted), on loopback, bounded in count and
 * time. Prints one table and writes bench/results/latest.json.
 *
 * CPU is read from /proc/<pid>/stat of the workerd process(es) that run the
 * Worker, before and after each phase.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import autocannon from 'autocannon'
import { freePort, freshConfig, startServers, TOOL_ENV } from '../scripts/lib/servers.mjs'

const FLOWS = { 1: Number(process.env.BENCH_FLOWS_C1 ?? 100), 32: Number(process.env.BENCH_FLOWS_C32 ?? 320) }
const STATUS_SECONDS = Number(process.env.BENCH_STATUS_SECONDS ?? 5)
const KV_OPS = 300
const DATA_TOKEN_ASKS = Number(process.env.BENCH_DATA_TOKEN_ASKS ?? 500)
const CRYPTO_ITERATIONS = 200
const HEALTH_FLOWS = Number(process.env.BENCH_HEALTH_FLOWS ?? 30)
const CLK_TCK = 100 // USER_HZ on Linux

// ---------- processes and CPU ----------
function processTable() {
  const table = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const close = stat.lastIndexOf(')')
      const comm = stat.slice(stat.indexOf('(') + 1, close)
      const fields = stat.slice(close + 2).split(' ')
      table.push({ pid: Number(entry), comm, ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) })
    } catch {}
  }
  return table
}

/** The workerd processes descending from `rootPid`. */
function workerdPids(rootPid) {
  const table = processTable()
  const children = new Map()
  for (const p of table) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p])
  const found = []
  const walk = (pid) => {
    for (const child of children.get(pid) ?? []) {
      if (child.comm.startsWith('workerd')) found.push(child.pid)
      walk(child.pid)
    }
  }
  walk(rootPid)
  return found
}

const cpuMs = (pids) => {
  const byPid = new Map(processTable().map((p) => [p.pid, p.ticks]))
  return pids.reduce((sum, pid) => sum + (byPid.get(pid) ?? 0), 0) * (1000 / CLK_TCK)
}

/** workerd's own background CPU per wall-clock ms (timers, the dev proxy), measured while idle and taken off every phase. */
let idleCpuPerMs = 0

async function measure(pids, work) {
  const before = cpuMs(pids)
  const started = performance.now()
  const result = await work()
  const wallMs = performance.now() - started
  return { cpuMs: cpuMs(pids) - before - idleCpuPerMs * wallMs, wallMs, result }
}

async function measureIdle(pids, ms) {
  const before = cpuMs(pids)
  await new Promise((resolve) => setTimeout(resolve, ms))
  return (cpuMs(pids) - before) / ms
}

// ---------- load ----------
async function pool(count, concurrency, task) {
  let next = 0
  const results = []
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++
        results[i] = await task(i)
      }
    }),
  )
  return results
}

const percentile = (values, p) => {
  if (!values.length) return 0
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}

// ---------- setup ----------
const root = process.cwd()
mkdirSync('bench/results', { recursive: true })
// What this run is compared with: the last run on this machine, else the figures the README had before (bench/baseline.json).
const previousPath = existsSync('bench/results/latest.json') ? 'bench/results/latest.json' : 'bench/baseline.json'
const previous = JSON.parse(readFileSync(previousPath, 'utf8'))
// The bench Worker: the root config with bench/worker.ts as main and limits out of the way (one client IP sends everything).
const benchConfig = readFileSync('wrangler.toml', 'utf8')
  .replace('name = "moneyhub-edge-connect"', 'name = "moneyhub-edge-connect-bench"')
  .replace('main = "src/index.ts"', 'main = "worker.ts"')
  .replaceAll('"./src/http/', '"../src/http/') // [alias] paths
  .replace('directory = "./public"', 'directory = "../public"') // [assets]
  .replace(/limit = \d+, period = 60/g, 'limit = 1000000, period = 60')
writeFileSync('bench/.wrangler.bench.toml', benchConfig)

const [proxyPort, mockPort] = [await freePort(), await freePort()]
const proxyOrigin = `http://127.0.0.1:${proxyPort}`
const mockOrigin = `http://127.0.0.1:${mockPort}`
const { proxyVars, mockVars } = await freshConfig({ proxyOrigin, mockOrigin })
const backend = { authorization: `Bearer ${proxyVars.BACKEND_API_KEY}` }
const log = []
/** Every scratch folder this run makes, removed when it ends (however it ends). */
const scratch = []
const scratchDir = (prefix) => {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  scratch.push(dir)
  return dir
}
process.on('exit', () => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true })
})
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130))

const begun = performance.now()
/** One line per phase, with the time so far: the whole run takes minutes. */
const progress = (what) => console.log(`[${String(Math.round((performance.now() - begun) / 1000)).padStart(3)} s] ${what}…`)
progress('starting the proxy (bench Worker) and the mock identity server under wrangler dev')
const servers = await startServers({
  proxyPort,
  mockPort,
  proxyVars,
  mockVars,
  proxyConfig: 'bench/.wrangler.bench.toml',
  persistTo: scratchDir('bench-state-'),
  onLine: (name, line) => (process.env.BENCH_VERBOSE ? console.log(`[${name}] ${line}`) : log.push(`[${name}] ${line}`)),
})
const pids = workerdPids(servers.proxy.pid)
if (!pids.length) throw new Error('could not find the workerd process of the proxy')

const latencies = {}
async function timed(route, promise) {
  const started = performance.now()
  const response = await promise
  ;(latencies[route] ??= []).push(performance.now() - started)
  return response
}

/** One complete connection: start → authorise at the mock → callback → status connected. */
async function flow() {
  const started = await timed(
    'POST /sessions',
    fetch(`${proxyOrigin}/sessions`, {
      method: 'POST',
      headers: { ...backend, 'content-type': 'application/json' },
      body: '{"bankId":"1ffe704d39629a929c8e293880fb449a"}',
    }),
  )
  const { id, authorizeUrl } = await started.json()
  const launch = await timed('GET /sessions/:id/authorize', fetch(authorizeUrl, { redirect: 'manual' }))
  if (launch.status !== 303) throw new Error(`launch answered ${launch.status}: ${await launch.text()}`)
  const cookie = launch.headers.get('set-cookie').split(';')[0]
  const approve = new URL(launch.headers.get('location'))
  approve.searchParams.set('decision', 'approve')
  const back = await fetch(approve, { redirect: 'manual' }) // the mock: not the Worker's time
  const done = await timed('GET /callback', fetch(back.headers.get('location'), { headers: { cookie }, redirect: 'manual' }))
  await done.arrayBuffer()
  const status = await timed('GET /sessions/:id', fetch(`${proxyOrigin}/sessions/${id}`))
  const body = await status.json()
  if (body.status !== 'connected') throw new Error(`flow ended ${body.status} ${body.error ?? ''}`)
  return id
}

const get = (path) => fetch(`${proxyOrigin}${path}`).then((r) => r.arrayBuffer())
const counters = async (reset) => (await fetch(`${proxyOrigin}/__bench/counters${reset ? '?reset=1' : ''}`)).json()

/**
 * POST /tokens: identical asks from the app backend for one registered user. The mock's client-credentials
 * grants for that user say how many asks missed the cache; CPU per ask over HTTP (less as many /health) and
 * inside the isolate (/__bench/inproc) say what a hit costs.
 */
async function dataTokenPhase() {
  const headers = { ...backend, 'content-type': 'application/json' }
  const post = (path, body) => fetch(`${proxyOrigin}${path}`, { method: 'POST', headers, body: JSON.stringify(body) })
  const { userId } = await (await post('/users', {})).json()
  const body = JSON.stringify({ scopes: ['accounts:read', 'transactions:read:all'], userId })
  const ask = async () => {
    const response = await timed('POST /tokens', fetch(`${proxyOrigin}/tokens`, { method: 'POST', headers, body }))
    if (!response.ok) throw new Error(`POST /tokens answered ${response.status}: ${await response.text()}`)
    await response.arrayBuffer()
  }
  delete latencies['POST /tokens']
  const overHttp = await measure(pids, () => pool(DATA_TOKEN_ASKS, 8, ask))
  const health = await measure(pids, () => pool(DATA_TOKEN_ASKS, 8, () => get('/health')))
  const inIsolate = await measure(pids, () =>
    get(`/__bench/inproc?path=/tokens&method=POST&backend=1&n=${DATA_TOKEN_ASKS}&quiet=1&body=${encodeURIComponent(body)}`),
  )
  const healthInIsolate = await measure(pids, () => get(`/__bench/inproc?path=/health&n=${DATA_TOKEN_ASKS}&quiet=1`))
  const recorded = await (await fetch(`${mockOrigin}/__mock/requests`)).json()
  const grants = recorded.filter((r) => r.endpoint === 'token' && r.params.grant_type === 'client_credentials' && r.params.sub === userId)
  const asks = 2 * DATA_TOKEN_ASKS
  return {
    asks,
    grants: grants.length,
    hitRate: 1 - grants.length / asks,
    p50: percentile(latencies['POST /tokens'], 50),
    p99: percentile(latencies['POST /tokens'], 99),
    cpuMsPerAskOverHttp: overHttp.cpuMs / DATA_TOKEN_ASKS,
    hostCpuMsPerRequest: health.cpuMs / DATA_TOKEN_ASKS,
    // Inside the isolate, without the host and without wrangler dev printing the access-log line.
    cpuMsPerHitInIsolate: inIsolate.cpuMs / DATA_TOKEN_ASKS,
    cpuMsPerHealthInIsolate: healthInIsolate.cpuMs / DATA_TOKEN_ASKS,
  }
}

/**
 * Bank health counting (docs/bank-health.md): the same flows with counting off and on, alternated (off, on, off, on)
 * at concurrency 1, for the CPU per connection and each route's latency; then counting alone (/__bench/count), its
 * Durable Object's work included. "On" phases wait until every count has landed, so their CPU holds all of it.
 */
async function healthPhase() {
  const bank = '1ffe704d39629a929c8e293880fb449a'
  const startedSoFar = async () =>
    (await (await fetch(`${proxyOrigin}/banks/health`, { headers: backend })).json()).banks.find((b) => b.bank === bank)?.last24h.started ??
    0
  const settle = async (target) => {
    for (let i = 0; i < 400 && (await startedSoFar()) < target; i++) await new Promise((r) => setTimeout(r, 50))
  }
  const runs = { off: { cpuMs: 0, n: 0, latencies: {} }, on: { cpuMs: 0, n: 0, latencies: {} } }
  for (const mode of ['off', 'on', 'off', 'on']) {
    await get(`/__bench/counting?on=${mode === 'on' ? 1 : 0}`)
    for (const key of Object.keys(latencies)) delete latencies[key]
    const before = await startedSoFar()
    const run = await measure(pids, async () => {
      await pool(HEALTH_FLOWS, 1, flow)
      if (mode === 'on') await settle(before + HEALTH_FLOWS)
    })
    runs[mode].cpuMs += run.cpuMs
    runs[mode].n += HEALTH_FLOWS
    for (const [route, values] of Object.entries(latencies)) (runs[mode].latencies[route] ??= []).push(...values)
  }
  await get('/__bench/counting?on=1')
  const n = 2 * HEALTH_FLOWS
  const before = await startedSoFar()
  const alone = await measure(pids, async () => {
    await get(`/__bench/count?n=${n}`)
    await settle(before + n)
  })
  const off = runs.off.cpuMs / runs.off.n
  const on = runs.on.cpuMs / runs.on.n
  return {
    flowsEach: runs.on.n,
    cpuMsPerConnectionOff: off,
    cpuMsPerConnectionOn: on,
    cpuMsPerConnectionAdded: on - off,
    cpuMsPerConnectionCountingAlone: alone.cpuMs / n,
    routes: Object.fromEntries(
      Object.keys(runs.on.latencies).map((route) => [
        route,
        {
          offP50: percentile(runs.off.latencies[route] ?? [], 50),
          onP50: percentile(runs.on.latencies[route], 50),
          offP99: percentile(runs.off.latencies[route] ?? [], 99),
          onP99: percentile(runs.on.latencies[route], 99),
        },
      ]),
    ),
  }
}

// ---------- run ----------
const results = { machine: { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version }, at: new Date().toISOString() }
try {
  progress('warm-up (20 connections) and idle CPU')
  await pool(20, 4, flow) // warm-up: config, keys, discovery and JWKS caches, JIT
  idleCpuPerMs = await measureIdle(pids, 3000)
  const { envsSeen } = await counters(false)
  if (envsSeen !== 1) throw new Error(`the Worker saw ${envsSeen} env objects: per-isolate caches are missed`)

  progress('raw cryptography and outbound subrequests')
  await get('/__bench/crypto?n=1')
  const crypto = await measure(pids, () => pool(4, 1, () => get(`/__bench/crypto?n=${CRYPTO_ITERATIONS / 4}`)))
  const cryptoPerConnection = crypto.cpuMs / CRYPTO_ITERATIONS
  const subrequests = await measure(pids, () => pool(10, 1, () => get('/__bench/subrequest?n=20')))

  /** The simulations' costs, measured on bare routes of this Worker at the concurrency of the phase they correct. */
  async function calibrate(concurrency) {
    const bare = await measure(pids, () => pool(KV_OPS, concurrency, () => get('/__bench/bare')))
    const perOp = async (path) =>
      ((await measure(pids, () => pool(KV_OPS, concurrency, (i) => get(`${path}${i}`)))).cpuMs - bare.cpuMs) / KV_OPS
    const kvPut = await perOp('/__bench/kv?op=put&k=')
    const kvGet = await perOp('/__bench/kv?op=get&k=')
    return {
      barePerRequest: bare.cpuMs / KV_OPS,
      kvOpCpu: (kvPut + kvGet) / 2, // the flow makes as many puts as gets
      limitCallCpu: Math.max(0, await perOp('/__bench/ratelimit?k=')),
      durableObjectCallCpu: Math.max(0, await perOp('/__bench/do?k=')),
      logLineCpu: Math.max(0, await perOp('/__bench/log?i=')),
    }
  }
  results.calibration = {}
  const subrequestCpu = (subrequests.cpuMs - 10 * (await calibrate(1)).barePerRequest) / 200

  results.connections = {}
  for (const concurrency of [1, 32]) {
    const n = FLOWS[concurrency]
    progress(`connections at concurrency ${concurrency}: calibration, ${n} flows, ${4 * n} × /health`)
    const { kvOpCpu, limitCallCpu, durableObjectCallCpu, logLineCpu } = (results.calibration[concurrency] = await calibrate(concurrency))
    for (const key of Object.keys(latencies)) delete latencies[key]
    await counters(true)
    const run = await measure(pids, () => pool(n, concurrency, flow))
    const kv = await counters(true)
    const health = await measure(pids, () => pool(4 * n, concurrency, () => get('/health')))
    const kvOps = (kv.get + kv.put + kv.delete + kv.list) / n
    const limitCalls = kv.limit / n
    const gross = run.cpuMs / n
    const host = health.cpuMs / n // 4 Worker requests per connection, as many /health
    const kvSim = kvOps * kvOpCpu
    const limitSim = limitCalls * limitCallCpu
    const doCalls = (kv.durableObjectCalls ?? 0) / n
    const doSim = doCalls * durableObjectCallCpu
    const net = gross - host - kvSim - limitSim - doSim
    const logLines = (kv.logLines - 0) / n
    const logForwarding = logLines * logLineCpu
    results.connections[concurrency] = {
      connections: n,
      connectionsPerSecond: n / (run.wallMs / 1000),
      routes: Object.fromEntries(
        Object.entries(latencies).map(([route, v]) => [route, { p50: percentile(v, 50), p99: percentile(v, 99) }]),
      ),
      cpuMsPerConnection: {
        gross,
        host,
        kvSimulation: kvSim,
        rateLimitSimulation: limitSim,
        durableObjectSimulation: doSim,
        net,
        devConsoleForwarding: logForwarding,
        netWithoutDevConsole: net - logForwarding,
      },
      logLinesPerConnection: logLines,
      kvOpsPerConnection: kvOps,
      durableObjectCallsPerConnection: doCalls,
      rateLimitCallsPerConnection: limitCalls,
      kvWritesPerConnection: (kv.put + kv.delete) / n,
      netToCrypto: net / cryptoPerConnection,
      netWithoutDevConsoleToCrypto: (net - logForwarding) / cryptoPerConnection,
    }
  }

  // The status route alone, against a bare Worker in the same workerd, at concurrency 64.
  progress(`status route (with and without the rate-limiter simulation) and a bare Worker at concurrency 64, ${STATUS_SECONDS} s each`)
  const connectedId = await flow()
  const cannon = (path) =>
    new Promise((resolve, reject) =>
      autocannon({ url: `${proxyOrigin}${path}`, connections: 64, duration: STATUS_SECONDS }, (error, result) =>
        error ? reject(error) : resolve(result),
      ),
    )
  const status = await cannon(`/sessions/${connectedId}`)
  const statusWithoutLimiterSimulation = await cannon(`/__bench/nolimitsim/sessions/${connectedId}`)
  const bareLoad = await cannon('/__bench/bare')
  results.statusRoute = {
    concurrency: 64,
    statusRps: status.requests.average,
    statusP50: status.latency.p50,
    statusP99: status.latency.p99,
    statusErrors: status.errors + status.non2xx,
    bareRps: bareLoad.requests.average,
    bareP50: bareLoad.latency.p50,
    bareP99: bareLoad.latency.p99,
    ratio: status.requests.average / bareLoad.requests.average,
    statusWithoutLimiterSimulationRps: statusWithoutLimiterSimulation.requests.average,
    ratioWithoutLimiterSimulation: statusWithoutLimiterSimulation.requests.average / bareLoad.requests.average,
  }
  results.cpu = { idleCpuPerSecond: idleCpuPerMs * 1000, subrequestCpu, cryptoPerConnection }
  results.dataTokens = await dataTokenPhase()
  progress(`bank health counting: ${HEALTH_FLOWS} flows × 4 (off, on, off, on), then counting alone`)
  results.bankHealth = await healthPhase()
} finally {
  await servers.stop()
}

// Bundle and start-up: what `npm run deploy` (wrangler deploy --env production, minified) would upload, and its start-up profile.
progress('bundle size (wrangler deploy --dry-run) and start-up CPU (wrangler check startup, 2 × 9 runs)')
const outdir = scratchDir('bench-bundle-')
execFileSync('wrangler', ['deploy', '--dry-run', '--env', 'production', '--outdir', outdir], { env: TOOL_ENV, stdio: 'ignore' })
const bundle = readFileSync(join(outdir, 'index.js'))
// Start-up: `wrangler check startup` profiles a Worker's start in local workerd with 1 ms sampling, on top of
// wrangler's own wrapper. So a trivial Worker is profiled the same way, and each figure is the median of 9.
function startupProfileMs(configPath) {
  const profilePath = join(outdir, 'startup.cpuprofile')
  execFileSync('wrangler', ['check', 'startup', '-c', configPath, '--outfile', profilePath], { env: TOOL_ENV, stdio: 'ignore' })
  const profile = JSON.parse(readFileSync(profilePath, 'utf8'))
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id))
  return profile.samples.reduce((sum, s, i) => sum + (idle.has(s) ? 0 : profile.timeDeltas[i]), 0) / 1000
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const trivialDir = scratchDir('bench-trivial-')
writeFileSync(join(trivialDir, 'index.js'), "export default { fetch() { return new Response('ok') } }\n")
writeFileSync(join(trivialDir, 'wrangler.toml'), 'name = "trivial"\nmain = "index.js"\ncompatibility_date = "2026-11-01"\n')
const ours = median(Array.from({ length: 9 }, () => startupProfileMs('wrangler.toml')))
const trivial = median(Array.from({ length: 9 }, () => startupProfileMs(join(trivialDir, 'wrangler.toml'))))
results.bundle = {
  minifiedBytes: bundle.length,
  gzipBytes: gzipSync(bundle, { level: 9 }).length,
  startupMs: ours,
  trivialStartupMs: trivial,
  ownStartupMs: ours - trivial,
}

writeFileSync('bench/results/latest.json', `${JSON.stringify(results, null, 2)}\n`)

// ---------- the table ----------
const f = (x, d = 2) => (typeof x === 'number' ? x.toFixed(d) : String(x))
const rows = []
for (const [c, r] of Object.entries(results.connections)) {
  rows.push([`connections/s (c=${c}, ${r.connections} flows)`, f(r.connectionsPerSecond, 1), ''])
  for (const [route, l] of Object.entries(r.routes)) rows.push([`  ${route} p50 / p99 ms`, `${f(l.p50, 1)} / ${f(l.p99, 1)}`, ''])
  rows.push([`  CPU ms per connection: gross`, f(r.cpuMsPerConnection.gross), ''])
  rows.push([`  − host (4 × /health)`, f(r.cpuMsPerConnection.host), ''])
  const cal = results.calibration[c]
  rows.push([`  − KV simulation (${f(r.kvOpsPerConnection, 1)} ops × ${f(cal.kvOpCpu)} ms)`, f(r.cpuMsPerConnection.kvSimulation), ''])
  rows.push([
    `  − rate-limit simulation (${f(r.rateLimitCallsPerConnection, 1)} calls × ${f(cal.limitCallCpu)} ms)`,
    f(r.cpuMsPerConnection.rateLimitSimulation),
    '',
  ])
  rows.push([
    `  − Durable Object call simulation (${f(r.durableObjectCallsPerConnection, 1)} calls × ${f(cal.durableObjectCallCpu)} ms)`,
    f(r.cpuMsPerConnection.durableObjectSimulation),
    '',
  ])
  rows.push([`  = net`, f(r.cpuMsPerConnection.net), `${f(r.netToCrypto)} × crypto (target ≤ 2)`])
  rows.push([
    `  of which wrangler dev's console forwarding (${f(r.logLinesPerConnection, 1)} lines × ${f(cal.logLineCpu)} ms)`,
    f(r.cpuMsPerConnection.devConsoleForwarding),
    `without it: ${f(r.cpuMsPerConnection.netWithoutDevConsole)} = ${f(r.netWithoutDevConsoleToCrypto)} × crypto`,
  ])
  rows.push([`  KV ops / writes per connection`, `${f(r.kvOpsPerConnection, 1)} / ${f(r.kvWritesPerConnection, 1)}`, 'target ≤ 4 / ≤ 2'])
  rows.push([
    `  Durable Object calls per connection`,
    f(r.durableObjectCallsPerConnection, 1),
    'target ≤ 1 per request: launch 1, callback 1',
  ])
  const before = previous.connections?.[c]
  if (before) {
    const delta = (now, then, d = 2) => `${f(then, d)} → ${f(now, d)} (${now >= then ? '+' : ''}${f(((now - then) / then) * 100, 0)} %)`
    rows.push([
      `  vs previous run: gross / net CPU ms per connection`,
      '',
      `${delta(r.cpuMsPerConnection.gross, before.cpuMsPerConnection.gross)} / ${delta(r.cpuMsPerConnection.net, before.cpuMsPerConnection.net)}`,
    ])
    for (const [route, l] of Object.entries(r.routes)) {
      const was = before.routes?.[route]
      if (was) rows.push([`  vs previous run: ${route} p50 ms`, '', delta(l.p50, was.p50, 1)])
    }
  }
}
rows.push(['raw crypto per connection (2 × RS256 sign, verify, AES-GCM) ms', f(results.cpu.cryptoPerConnection), ''])
rows.push(['workerd idle CPU ms/s (taken off every phase)', f(results.cpu.idleCpuPerSecond), ''])
rows.push(['one outbound subrequest (the flow makes 2: PAR, token) ms', f(results.cpu.subrequestCpu), 'part of net'])
const s = results.statusRoute
rows.push([
  `status route c=64 req/s (p50 / p99 ms)`,
  `${f(s.statusRps, 0)} (${s.statusP50} / ${s.statusP99})`,
  `${f(s.ratio)} × bare (target ≥ 0.8)`,
])
if (s.ratioWithoutLimiterSimulation !== undefined)
  rows.push([
    `  without wrangler dev's rate-limiter simulation req/s`,
    f(s.statusWithoutLimiterSimulationRps, 0),
    `${f(s.ratioWithoutLimiterSimulation)} × bare (target ≥ 0.8)`,
  ])
rows.push([`bare Worker c=64 req/s (p50 / p99 ms)`, `${f(s.bareRps, 0)} (${s.bareP50} / ${s.bareP99})`, ''])
const d = results.dataTokens
rows.push([`POST /tokens: ${d.asks} identical asks, upstream grants (hit rate)`, `${d.grants} (${f(d.hitRate * 100, 1)} %)`, ''])
rows.push([`  c=8 p50 / p99 ms`, `${f(d.p50, 1)} / ${f(d.p99, 1)}`, ''])
rows.push([`  CPU ms per hit: over HTTP − host (/health)`, f(d.cpuMsPerAskOverHttp - d.hostCpuMsPerRequest), ''])
rows.push([
  `  CPU ms per hit inside the isolate (logs unprinted)`,
  f(d.cpuMsPerHitInIsolate, 3),
  `GET /health the same way: ${f(d.cpuMsPerHealthInIsolate, 3)}`,
])
const h = results.bankHealth
if (h) {
  rows.push([
    `bank health counting: CPU ms per connection off / on (c=1, ${h.flowsEach} flows each)`,
    `${f(h.cpuMsPerConnectionOff)} / ${f(h.cpuMsPerConnectionOn)}`,
    `added ${f(h.cpuMsPerConnectionAdded, 3)} (target ≤ 0.2; its Durable Object's work and storage simulation included)`,
  ])
  rows.push(['  counting alone per connection (3 events and their Durable Object work)', f(h.cpuMsPerConnectionCountingAlone, 3), ''])
  for (const [route, l] of Object.entries(h.routes))
    rows.push([
      `  ${route} p50 / p99 ms, off → on`,
      `${f(l.offP50, 1)}/${f(l.offP99, 1)} → ${f(l.onP50, 1)}/${f(l.onP99, 1)}`,
      'target: no change',
    ])
}
rows.push([
  'bundle minified / gzip KB',
  `${f(results.bundle.minifiedBytes / 1024, 1)} / ${f(results.bundle.gzipBytes / 1024, 1)}`,
  'target ≤ 64 gzip',
])
rows.push(['start-up CPU ms (wrangler check startup, median of 9)', f(results.bundle.startupMs, 1), ''])
rows.push(['  − a trivial Worker profiled the same way', f(results.bundle.trivialStartupMs, 1), ''])
rows.push(["  = the Worker's own start-up", f(results.bundle.ownStartupMs, 1), 'target ≤ 10'])
const width = Math.max(...rows.map((r) => r[0].length))
console.log(`\n${results.machine.cores} × ${results.machine.cpu}, ${results.at}; previous run: ${previous.at} (${previousPath})\n`)
for (const [name, value, note] of rows) console.log(`${name.padEnd(width)}  ${value.padStart(18)}  ${note}`)
console.log(`\nwritten to bench/results/latest.json (${Math.round((performance.now() - begun) / 1000)} s in all)`)
