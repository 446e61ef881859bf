#!/usr/bin/env node
/**
 * npm run bench: the Worker in workerd (wrangler dev) against the mock identity
 * server (its own process, not counted), on loopback, bounded in count and
 * time. Prints one table and writes bench/results/latest.json.
 *
 * CPU is read from /proc/<pid>/stat of the workerd process(es) that run the
 * Worker, before and after each phase.
 */
import { BENCH_CONFIG, writeBenchConfig } from './benchConfig.mjs'
import { concurrentFlows } from './concurrentFlows.mjs'
import { connectionFlow } from './flow.mjs'
import { cpuMs, workerdPids } from './processes.mjs'
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import autocannon from 'autocannon'
import { freePort, freshConfig, startServers, TOOL_ENV } from '../scripts/lib/servers.mjs'

const FLOWS = { 1: Number(process.env.BENCH_FLOWS_C1 ?? 100), 32: Number(process.env.BENCH_FLOWS_C32 ?? 320) }
const STATUS_SECONDS = Number(process.env.BENCH_STATUS_SECONDS ?? 5)
const KV_OPS = 300
/** Connections started at once, to check that none is lost or crossed (was test/connections/concurrent-flows.test.ts). */
const CONCURRENT_FLOWS = Number(process.env.BENCH_CONCURRENT_FLOWS ?? 200)
const DATA_TOKEN_ASKS = Number(process.env.BENCH_DATA_TOKEN_ASKS ?? 500)
const CRYPTO_ITERATIONS = 200
/** Sequential requests per route for the latency breakdown (p50s). */
const LATENCY_PROBES = 100
/** Connections through the Node peer (bench/nodePeer.mjs: openid-client) at each concurrency. */
const PEER_FLOWS = { 1: Number(process.env.BENCH_PEER_FLOWS_C1 ?? FLOWS[1]), 32: Number(process.env.BENCH_PEER_FLOWS_C32 ?? FLOWS[32]) }
const HEALTH_FLOWS = Number(process.env.BENCH_HEALTH_FLOWS ?? 30)
/** workerd's own background CPU per wall-clock ms (timers, the dev proxy), measured while idle and taken off every phase. */
let idleCpuPerMs = 0

async function measure(pids, work, idlePerMs = idleCpuPerMs) {
  const before = cpuMs(pids)
  const started = performance.now()
  const result = await work()
  const wallMs = performance.now() - started
  return { cpuMs: cpuMs(pids) - before - idlePerMs * wallMs, wallMs, result }
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
/** Issue 20's goal for the launch and callback p50s: within 20 % of this run (before sessions went through their Durable Objects). */
const baseline = JSON.parse(readFileSync('bench/baseline.json', 'utf8'))
writeBenchConfig()

const [proxyPort, mockPort, peerPort] = [await freePort(), await freePort(), await freePort()]
const proxyOrigin = `http://127.0.0.1:${proxyPort}`
const mockOrigin = `http://127.0.0.1:${mockPort}`
const peerOrigin = `http://127.0.0.1:${peerPort}`
const { proxyVars, mockVars } = await freshConfig({ proxyOrigin, mockOrigin })
// The Node peer is the same client at the mock, with its own redirect URI.
mockVars.CLIENT_REDIRECT_URIS = `${mockVars.CLIENT_REDIRECT_URIS},${peerOrigin}/callback`
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
/** Set once the servers run: an interrupted run stops them before it exits. */
let stopServers = async () => {}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stopServers().finally(() => process.exit(130)))

const begun = performance.now()
/** One line per phase, with the time so far: the whole run takes minutes. */
const progress = (what) => console.log(`[${String(Math.round((performance.now() - begun) / 1000)).padStart(3)} s] ${what}…`)
progress('starting the proxy (bench Worker) and the mock identity server under wrangler dev')
const servers = await startServers({
  proxyPort,
  mockPort,
  proxyVars,
  mockVars,
  proxyConfig: BENCH_CONFIG,
  persistTo: scratchDir('bench-state-'),
  onLine: (name, line) => (process.env.BENCH_VERBOSE ? console.log(`[${name}] ${line}`) : log.push(`[${name}] ${line}`)),
  onExit: (name, code) => log.push(`[${name}] exited with ${code}`),
}).catch((error) => {
  // What the servers said is the only clue to a start that failed.
  console.error(log.slice(-40).join('\n'))
  throw error
})
stopServers = servers.stop
const pids = workerdPids(servers.proxy.pid)
if (!pids.length) throw new Error('could not find the workerd process of the proxy')
progress('starting the Node peer (bench/nodePeer.mjs: openid-client)')
const peer = spawn(process.execPath, ['bench/nodePeer.mjs'], {
  env: {
    ...process.env,
    PORT: String(peerPort),
    ISSUER: proxyVars.MONEYHUB_ISSUER,
    CLIENT_ID: proxyVars.MONEYHUB_CLIENT_ID,
    CLIENT_PRIVATE_JWKS: proxyVars.CLIENT_PRIVATE_JWKS,
    BACKEND_API_KEY: proxyVars.BACKEND_API_KEY,
  },
  stdio: ['ignore', 'pipe', 'pipe'],
})
for (const stream of [peer.stdout, peer.stderr]) stream.on('data', (chunk) => log.push(`[peer] ${chunk}`))
process.on('exit', () => peer.exitCode === null && peer.kill('SIGTERM'))
for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${peerOrigin}/health`)).ok) break
  } catch {}
  if (i > 120 || peer.exitCode !== null)
    throw new Error(`the Node peer did not start:\n${log.filter((l) => l.startsWith('[peer]')).join('')}`)
  await new Promise((r) => setTimeout(r, 250))
}

const latencies = {}
async function timed(route, promise) {
  const started = performance.now()
  const response = await promise
  ;(latencies[route] ??= []).push(performance.now() - started)
  return response
}

const flowAt = (origin) => connectionFlow(origin, proxyVars.BACKEND_API_KEY, (route, request) => timed(route, request()))
const flow = () => flowAt(proxyOrigin)
const peerFlow = () => flowAt(peerOrigin)

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
async function healthPhase(calibration) {
  const bank = '1ffe704d39629a929c8e293880fb449a'
  const startedSoFar = async () =>
    (await (await fetch(`${proxyOrigin}/banks/health`, { headers: backend })).json()).banks.find((b) => b.bank === bank)?.last24h.started ??
    0
  // Counts land a batch later (FLUSH_MS, src/health/count.ts): wait that long first, so that reading them (itself
  // Durable Object calls) adds little to the phase. Both modes wait alike; idle CPU is taken off.
  const settle = async (target) => {
    await new Promise((r) => setTimeout(r, 1200))
    if (target === undefined) return
    for (let i = 0; i < 80 && (await startedSoFar()) < target; i++) await new Promise((r) => setTimeout(r, 250))
  }
  const runs = { off: { cpuMs: 0, n: 0, latencies: {}, ops: {} }, on: { cpuMs: 0, n: 0, latencies: {}, ops: {} } }
  for (const mode of ['off', 'on', 'off', 'on']) {
    await get(`/__bench/counting?on=${mode === 'on' ? 1 : 0}`)
    for (const key of Object.keys(latencies)) delete latencies[key]
    const before = await startedSoFar()
    await counters(true)
    const run = await measure(pids, async () => {
      await pool(HEALTH_FLOWS, 1, flow)
      await settle(mode === 'on' ? before + HEALTH_FLOWS : undefined)
    })
    for (const [key, value] of Object.entries(await counters(true))) runs[mode].ops[key] = (runs[mode].ops[key] ?? 0) + value
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
  const simOff = simulations(runs.off.ops, runs.off.n, calibration)
  const simOn = simulations(runs.on.ops, runs.on.n, calibration)
  const added = (part) => simOn.parts[part].count - simOff.parts[part].count
  return {
    flowsEach: runs.on.n,
    addedPerConnection: {
      durableObjectCalls: added('durableObjectCalls') + added('freshDurableObjectCalls'),
      storageReads: added('storageReads'),
      storageWrites: added('storageWrites'),
      alarmWrites: added('alarmWrites'),
      analyticsWrites: added('analyticsWrites'),
    },
    cpuMsPerConnectionAddedSimulations: simOn.total - simOff.total,
    cpuMsPerConnectionAddedOwn: on - off - (simOn.total - simOff.total),
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

/** Per connection: every binding operation counted in `ops` (over `n` connections) at its calibrated price. */
function simulations(ops, n, cal) {
  const per = (x) => (x ?? 0) / n
  const parts = {
    kv: { count: per(ops.get + ops.put + ops.delete + ops.list), price: cal.kvOpCpu },
    rateLimit: { count: per(ops.limit), price: cal.limitCallCpu },
    // The first call to an object makes it (its SQLite database, under wrangler dev); the others find it running.
    freshDurableObjectCalls: { count: per(ops.freshDurableObjectCalls), price: cal.durableObjectCallCpu },
    durableObjectCalls: {
      count: per(ops.durableObjectCalls - (ops.freshDurableObjectCalls ?? 0)),
      price: cal.runningDurableObjectCallCpu ?? cal.durableObjectCallCpu,
    },
    storageReads: { count: per(ops.storageReads), price: cal.storageReadCpu },
    storageWrites: { count: per(ops.storageWrites), price: cal.storageWriteCpu },
    alarmWrites: { count: per(ops.alarmWrites), price: cal.alarmWriteCpu },
    queueSends: { count: per(ops.queueSends), price: cal.queueSendCpu },
    analyticsWrites: { count: per(ops.analyticsWrites), price: cal.analyticsWriteCpu },
  }
  for (const part of Object.values(parts)) part.cpu = part.count * part.price
  return { parts, total: Object.values(parts).reduce((sum, p) => sum + p.cpu, 0) }
}
// ---------- run ----------
const results = { machine: { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version }, at: new Date().toISOString() }
try {
  progress('warm-up (50 connections) and idle CPU')
  await pool(50, 4, flow) // warm-up: config, keys, discovery and JWKS caches, JIT
  idleCpuPerMs = await measureIdle(pids, 3000)
  const { envsSeen } = await counters(false)
  if (envsSeen !== 1) throw new Error(`the Worker saw ${envsSeen} env objects: per-isolate caches are missed`)

  progress('raw cryptography and outbound subrequests')
  await get('/__bench/crypto?n=1')
  const crypto = await measure(pids, () => pool(4, 1, () => get(`/__bench/crypto?n=${CRYPTO_ITERATIONS / 4}`)))
  const cryptoPerConnection = crypto.cpuMs / CRYPTO_ITERATIONS
  const subrequests = await measure(pids, () => pool(10, 1, () => get('/__bench/subrequest?n=20')))

  /**
   * What wrangler dev's simulations of the bindings cost, each measured bare on a route of this Worker at the
   * concurrency of the phase it corrects (a route doing only that, less a route doing nothing). On Cloudflare each
   * of them is I/O, not the Worker's CPU.
   */
  async function calibrate(concurrency) {
    const bare = await measure(pids, () => pool(KV_OPS, concurrency, () => get('/__bench/bare')))
    const perOp = async (path, base = bare.cpuMs, n = KV_OPS) =>
      ((await measure(pids, () => pool(n, concurrency, (i) => get(`${path}${i}`)))).cpuMs - (base * n) / KV_OPS) / n
    const kvPut = await perOp('/__bench/kv?op=put&k=')
    const kvGet = await perOp('/__bench/kv?op=get&k=')
    // A call to a fresh object, then a fresh object's read and write less such a call.
    // Fewer of these: each makes a Durable Object (and its SQLite file) in this workerd.
    const few = KV_OPS / 2
    const doCall = await perOp('/__bench/do?op=call&k=', bare.cpuMs, few)
    const doCallCpu = bare.cpuMs + doCall * KV_OPS
    // A call to a running object (the same one each time): most of a connection's calls are to its object once made.
    await get(`/__bench/do?op=call&k=running-${concurrency}`)
    const runningCall = await perOp(`/__bench/do?op=call&k=running-${concurrency}&i=`)
    return {
      barePerRequest: bare.cpuMs / KV_OPS,
      kvOpCpu: (kvPut + kvGet) / 2, // the flow makes as many puts as gets
      limitCallCpu: Math.max(0, await perOp('/__bench/ratelimit?k=')),
      durableObjectCallCpu: Math.max(0, doCall),
      runningDurableObjectCallCpu: Math.max(0, runningCall),
      storageReadCpu: Math.max(0, await perOp('/__bench/do?op=read&k=', doCallCpu, few)),
      storageWriteCpu: Math.max(0, await perOp('/__bench/do?op=write&k=', doCallCpu, few)),
      alarmWriteCpu: Math.max(0, await perOp('/__bench/do?op=alarm&k=', doCallCpu, few)),
      queueSendCpu: Math.max(0, await perOp('/__bench/queue?k=', bare.cpuMs, few)),
      analyticsWriteCpu: Math.max(0, await perOp('/__bench/ae?k=', bare.cpuMs, few)),
      logLineCpu: Math.max(0, await perOp('/__bench/log?i=')),
    }
  }
  results.connections = {}
  results.peer = {}
  // The flows first, the calibration after them: the calibration makes hundreds of Durable Objects, and the work
  // workerd does for them afterwards (their SQLite files, their eviction) slowed the flows measured next.
  const measured = {}
  for (const concurrency of [1, 32]) {
    const n = FLOWS[concurrency]
    progress(`connections at concurrency ${concurrency}: ${n} flows, ${4 * n} × /health, ${PEER_FLOWS[concurrency]} flows at the Node peer`)
    for (const key of Object.keys(latencies)) delete latencies[key]
    await counters(true)
    const run = await measure(pids, () => pool(n, concurrency, flow))
    const ops = await counters(true)
    const routes = Object.fromEntries(
      Object.entries(latencies).map(([route, v]) => [route, { p50: percentile(v, 50), p99: percentile(v, 99) }]),
    )
    const health = await measure(pids, () => pool(4 * n, concurrency, () => get('/health')))
    measured[concurrency] = { n, run, ops, routes, health }

    // The Node peer: the same flows, its process's CPU per connection.
    for (const key of Object.keys(latencies)) delete latencies[key]
    if (concurrency === 1) await pool(20, 4, peerFlow) // warm-up: discovery, keys, JIT
    const peerRun = await measure([peer.pid], () => pool(PEER_FLOWS[concurrency], concurrency, peerFlow), 0)
    results.peer[concurrency] = {
      connections: PEER_FLOWS[concurrency],
      connectionsPerSecond: PEER_FLOWS[concurrency] / (peerRun.wallMs / 1000),
      cpuMsPerConnection: peerRun.cpuMs / PEER_FLOWS[concurrency],
      routes: Object.fromEntries(
        Object.entries(latencies).map(([route, v]) => [route, { p50: percentile(v, 50), p99: percentile(v, 99) }]),
      ),
    }
  }

  progress('calibration: what each simulated binding operation costs bare, at concurrency 1 and 32; latency parts')
  results.calibration = { 1: await calibrate(1) }
  // Where a launch's latency goes under wrangler dev: p50s of sequential requests to routes doing one thing each.
  const p50Of = async (path, n = LATENCY_PROBES) => {
    const times = []
    for (let i = 0; i < n; i++) {
      const started = performance.now()
      await get(`${path}${i}`)
      times.push(performance.now() - started)
    }
    return percentile(times, 50)
  }
  const bareP50 = await p50Of('/__bench/bare?i=')
  const callP50 = await p50Of('/__bench/do?op=call&k=lat-')
  results.latencyParts = {
    bareRequest: bareP50,
    freshDurableObjectCall: callP50 - bareP50,
    runningDurableObjectCall: (await p50Of('/__bench/do?op=call&k=lat-running&i=')) - bareP50,
    storageWrite: (await p50Of('/__bench/do?op=write&k=lat-')) - callP50,
    subrequest: (await p50Of('/__bench/subrequest?n=1&i=')) - bareP50,
  }
  const subrequestCpu = (subrequests.cpuMs - 10 * results.calibration[1].barePerRequest) / 200
  // Issue 20's floor: the raw cryptography and the 2 subrequests the flow cannot do without (PAR, token).
  const floor = cryptoPerConnection + 2 * subrequestCpu

  for (const concurrency of [1, 32]) {
    const { n, run, ops, routes, health } = measured[concurrency]
    const cal = (results.calibration[concurrency] ??= await calibrate(concurrency))
    const gross = run.cpuMs / n
    const host = health.cpuMs / n // 4 Worker requests per connection, as many /health
    const sim = simulations(ops, n, cal)
    const net = gross - host - sim.total
    const logLines = ops.logLines / n
    const logForwarding = logLines * cal.logLineCpu
    results.connections[concurrency] = {
      connections: n,
      connectionsPerSecond: n / (run.wallMs / 1000),
      routes,
      cpuMsPerConnection: {
        gross,
        host,
        simulations: Object.fromEntries(Object.entries(sim.parts).map(([k, p]) => [k, p.cpu])),
        net,
        devConsoleForwarding: logForwarding,
        netWithoutDevConsole: net - logForwarding,
      },
      opsPerConnection: Object.fromEntries(Object.entries(sim.parts).map(([k, p]) => [k, p.count])),
      logLinesPerConnection: logLines,
      kvOpsPerConnection: sim.parts.kv.count,
      durableObjectCallsPerConnection: sim.parts.durableObjectCalls.count + sim.parts.freshDurableObjectCalls.count,
      rateLimitCallsPerConnection: sim.parts.rateLimit.count,
      kvWritesPerConnection: (ops.put + ops.delete) / n,
      netToFloor: net / floor,
      netWithoutDevConsoleToFloor: (net - logForwarding) / floor,
      workerToPeer: gross / results.peer[concurrency].cpuMsPerConnection,
      workerWithoutSimulationsToPeer: (gross - sim.total) / results.peer[concurrency].cpuMsPerConnection,
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
  results.cpu = { idleCpuPerSecond: idleCpuPerMs * 1000, subrequestCpu, cryptoPerConnection, floor }
  results.dataTokens = await dataTokenPhase()
  progress(`bank health counting: ${HEALTH_FLOWS} flows × 4 (off, on, off, on), then counting alone`)
  results.bankHealth = await healthPhase(results.calibration[1])
  // Last, so that its load weighs on no measurement: correctness under load, which fails the bench when it does not hold.
  progress(`${CONCURRENT_FLOWS} connections at once, all approved, then with the token endpoint failing 1 in 5 (bench/concurrentFlows.mjs)`)
  results.concurrentFlows = await concurrentFlows({
    proxyOrigin,
    mockOrigin,
    backendApiKey: proxyVars.BACKEND_API_KEY,
    flows: CONCURRENT_FLOWS,
  })
} finally {
  if (peer.exitCode === null) peer.kill('SIGTERM')
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
  const simulated = [
    ['KV', 'ops', 'kv', 'kvOpCpu'],
    ['rate-limit', 'calls', 'rateLimit', 'limitCallCpu'],
    ['Durable Object call, its first (made then)', 'calls', 'freshDurableObjectCalls', 'durableObjectCallCpu'],
    ['Durable Object call, to a running object', 'calls', 'durableObjectCalls', 'runningDurableObjectCallCpu'],
    ['Durable Object storage read', 'reads', 'storageReads', 'storageReadCpu'],
    ['Durable Object storage write', 'writes', 'storageWrites', 'storageWriteCpu'],
    ['Durable Object alarm', 'sets', 'alarmWrites', 'alarmWriteCpu'],
    ['Queue send', 'sends', 'queueSends', 'queueSendCpu'],
    ['Analytics Engine', 'data points', 'analyticsWrites', 'analyticsWriteCpu'],
  ]
  for (const [name, unit, key, price] of simulated)
    rows.push([
      `  − ${name} simulation (${f(r.opsPerConnection[key], 1)} ${unit} × ${f(cal[price])} ms)`,
      f(r.cpuMsPerConnection.simulations[key]),
      '',
    ])
  const goal = `target ≤ 1.5 × (crypto + 2 subrequests) = ${f(1.5 * results.cpu.floor)}`
  rows.push([`  = the app's own CPU`, f(r.cpuMsPerConnection.net), `${f(r.netToFloor)} × (crypto + 2 subrequests); ${goal}`])
  rows.push([
    `  of which wrangler dev's console forwarding (${f(r.logLinesPerConnection, 1)} lines × ${f(cal.logLineCpu)} ms)`,
    f(r.cpuMsPerConnection.devConsoleForwarding),
    `without it: ${f(r.cpuMsPerConnection.netWithoutDevConsole)} = ${f(r.netWithoutDevConsoleToFloor)} × (crypto + 2 subrequests)`,
  ])
  rows.push([`  KV ops / writes per connection`, `${f(r.kvOpsPerConnection, 1)} / ${f(r.kvWritesPerConnection, 1)}`, 'target ≤ 4 / ≤ 2'])
  const p = results.peer[c]
  rows.push([
    `  Node(openid-client) peer: CPU ms per connection (${p.connections} flows)`,
    f(p.cpuMsPerConnection),
    `${f(p.connectionsPerSecond, 1)} connections/s`,
  ])
  for (const [route, l] of Object.entries(p.routes)) rows.push([`    ${route} p50 / p99 ms`, `${f(l.p50, 1)} / ${f(l.p99, 1)}`, ''])
  rows.push([
    `  Worker ÷ Node(openid-client), CPU per connection`,
    `${f(r.workerToPeer, 1)} ×`,
    `target ≤ 8 ×; without the binding simulations ${f(r.workerWithoutSimulationsToPeer, 1)} ×`,
  ])
  const base = baseline.connections?.[c]
  for (const route of ['GET /sessions/:id/authorize', 'GET /callback']) {
    const was = base?.routes?.[route]?.p50
    const now = r.routes[route]?.p50
    if (was && now)
      rows.push([
        `  ${route} p50 vs baseline ms`,
        `${f(was, 1)} → ${f(now, 1)}`,
        `${now >= was ? '+' : ''}${f(((now - was) / was) * 100, 0)} % (target within 20 %)`,
      ])
  }
  const lat = results.latencyParts
  if (Number(c) === 1 && lat) {
    rows.push([
      `  latency p50 ms: bare request; + first Durable Object call; + call to a running one; + its write; + subrequest`,
      `${f(lat.bareRequest, 1)}; ${f(lat.freshDurableObjectCall, 1)}; ${f(lat.runningDurableObjectCall, 1)}; ${f(lat.storageWrite, 1)}; ${f(lat.subrequest, 1)}`,
      `under wrangler dev`,
    ])
    // What each route must wait for whatever its code: the launch binds the browser in the session's new object before
    // it pushes the request (PAR); the callback persists its claim before it sends the code, and the outcome after.
    const launchFloor = lat.bareRequest + lat.freshDurableObjectCall + lat.storageWrite + lat.subrequest
    const callbackFloor = lat.bareRequest + lat.runningDurableObjectCall + 2 * lat.storageWrite + lat.subrequest
    const goalOf = (route) => 1.2 * (base?.routes?.[route]?.p50 ?? NaN)
    rows.push([
      `  launch p50: its floor (bare + first call + write + subrequest) → measured ms`,
      `${f(launchFloor, 1)} → ${f(r.routes['GET /sessions/:id/authorize']?.p50, 1)}`,
      `the goal (baseline + 20 %) is ${f(goalOf('GET /sessions/:id/authorize'), 1)}`,
    ])
    rows.push([
      `  callback p50: its floor (bare + call + 2 writes + subrequest) → measured ms`,
      `${f(callbackFloor, 1)} → ${f(r.routes['GET /callback']?.p50, 1)}`,
      `the goal (baseline + 20 %) is ${f(goalOf('GET /callback'), 1)}`,
    ])
  }
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
rows.push([
  'raw crypto per connection (3 × RS256 sign, verify, AES-GCM seal and open) ms',
  f(results.cpu.cryptoPerConnection),
  'request object, 2 client assertions, id_token',
])
const cf = results.concurrentFlows
rows.push([
  `${cf.allApproved.flows} connections at once: all approved / 1 in 5 token exchanges failing, s`,
  `${f(cf.allApproved.wallMs / 1000, 1)} / ${f(cf.tokenEndpointFailing.wallMs / 1000, 1)}`,
  'each ended as it should, with its own tokens',
])
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
    `added ${f(h.cpuMsPerConnectionAdded, 3)}`,
  ])
  const a = h.addedPerConnection
  rows.push([
    `  − its simulated binding operations (${f(a.durableObjectCalls, 1)} Durable Object calls, ${f(a.storageReads, 1)} storage reads, ${f(a.storageWrites, 1)} writes, ${f(a.alarmWrites, 1)} alarm sets, ${f(a.analyticsWrites, 1)} data points)`,
    f(h.cpuMsPerConnectionAddedSimulations, 3),
    '',
  ])
  rows.push(["  = counting's own CPU per connection", f(h.cpuMsPerConnectionAddedOwn, 3), 'target ≤ 0.2'])
  rows.push(['  counting alone per connection (its events and their Durable Object work)', f(h.cpuMsPerConnectionCountingAlone, 3), ''])
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
