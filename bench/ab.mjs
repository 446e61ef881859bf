#!/usr/bin/env node
/**
 * npm run bench:ab -- <other checkout>: the connection flow's route latencies, this checkout's Worker against another
 * checkout's (a git worktree of another commit), paired. Both run under `wrangler dev` (this checkout's wrangler) with
 * the same settings and keys, against one mock; connections alternate between them (A B, then B A) so that the
 * machine's drift, which moves a single run's p50s by more than most changes do, falls on both alike.
 * Prints each route's p50 on both sides and the median of the paired differences.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { freePort, freshConfig, startServers } from '../scripts/lib/servers.mjs'
import { connectionFlow } from './flow.mjs'
import { cpuMs, workerdPids } from './processes.mjs'

const other = process.argv[2]
if (!other) {
  console.error('usage: npm run bench:ab -- <path of another checkout of this project, with its node_modules>')
  process.exit(2)
}
const PAIRS = Number(process.env.BENCH_AB_PAIRS ?? 150)
const WARM_UP = 30
const CONFIG = 'bench/.wrangler.ab.toml'
/** Settings for one side only (JSON), for a checkout that reads a setting otherwise, e.g. '{"CLIENT_ASSERTION_AUDIENCE":"endpoint"}'. */
const sideVars = { A: JSON.parse(process.env.BENCH_AB_A_VARS ?? '{}'), B: JSON.parse(process.env.BENCH_AB_B_VARS ?? '{}') }
/** The mock's settings over the usual ones (JSON): e.g. '{"CLIENT_REQUEST_OBJECT_SIGNING_ALG":"none"}' for a checkout that pushes plain parameters. */
const extraMockVars = JSON.parse(process.env.BENCH_AB_MOCK_VARS ?? '{}')

/** The checkout's own wrangler.toml with the Worker itself as main and the rate limits out of the way (one client IP). */
function writeConfig(dir) {
  const config = readFileSync(join(dir, 'wrangler.toml'), 'utf8')
    .replace('main = "src/index.ts"', 'main = "../src/index.ts"')
    .replaceAll('"./src/http/', '"../src/http/')
    .replace('directory = "./public"', 'directory = "../public"')
    .replace(/limit = \d+, period = 60/g, 'limit = 1000000, period = 60')
  writeFileSync(join(dir, CONFIG), config)
  written.push(join(dir, CONFIG))
}
/** The configs written into both checkouts, removed at the end (the other checkout may not ignore them). */
const written = []

const sides = { A: resolve('.'), B: resolve(other) }
const ports = { A: await freePort(), B: await freePort(), mock: await freePort() }
const origin = (port) => `http://127.0.0.1:${port}`
const mockOrigin = origin(ports.mock)
const { proxyVars, mockVars } = await freshConfig({ proxyOrigin: origin(ports.A), mockOrigin })
mockVars.CLIENT_REDIRECT_URIS = `${origin(ports.A)}/callback,${origin(ports.B)}/callback`
Object.assign(mockVars, extraMockVars)
const scratch = mkdtempSync(join(tmpdir(), 'bench-ab-'))
const log = []
const onLine = (name, line) => log.push(`[${name}] ${line}`)
const running = []
/** Each side's workerd processes: their CPU per connection is read from /proc, less what they use idle. */
const pids = {}
const stopAll = () => Promise.all(running.map((s) => s.stop()))
process.on('exit', () => [scratch, ...written].forEach((path) => rmSync(path, { recursive: true, force: true })))
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stopAll().finally(() => process.exit(130)))

try {
  for (const side of ['A', 'B']) {
    writeConfig(sides[side])
    const servers = await startServers({
      proxyPort: ports[side],
      mockPort: ports.mock,
      proxyVars: { ...proxyVars, MONEYHUB_REDIRECT_URI: `${origin(ports[side])}/callback`, ...sideVars[side] },
      mockVars,
      proxyConfig: CONFIG,
      proxyCwd: sides[side],
      persistTo: join(scratch, side),
      withMock: side === 'A',
      onLine: (name, line) => onLine(`${side} ${name}`, line),
    })
    running.push(servers)
    pids[side] = workerdPids(servers.proxy.pid)
    if (!pids[side].length) throw new Error(`could not find the workerd process of side ${side}`)
  }
  const latencies = { A: {}, B: {} }
  const flowOn = (side, record) =>
    connectionFlow(origin(ports[side]), proxyVars.BACKEND_API_KEY, async (route, request) => {
      const started = performance.now()
      const response = await request()
      if (record) (latencies[side][route] ??= []).push(performance.now() - started)
      return response
    })
  for (let i = 0; i < WARM_UP; i++) for (const side of ['A', 'B']) await flowOn(side, false)
  const cpuOf = () => ({ A: cpuMs(pids.A), B: cpuMs(pids.B) })
  const idleFrom = cpuOf()
  const idleMs = 3000
  await new Promise((resolve) => setTimeout(resolve, idleMs))
  const idleTo = cpuOf()
  const from = cpuOf()
  const began = performance.now()
  for (let i = 0; i < PAIRS; i++) for (const side of i % 2 ? ['B', 'A'] : ['A', 'B']) await flowOn(side, true)
  const wallMs = performance.now() - began
  const to = cpuOf()
  const cpuPerConnection = (side) => (to[side] - from[side] - ((idleTo[side] - idleFrom[side]) / idleMs) * wallMs) / PAIRS

  const median = (values) => {
    const sorted = [...values].sort((a, b) => a - b)
    const mid = sorted.length >> 1
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
  }
  console.log(`A: ${sides.A}\nB: ${sides.B}\n${PAIRS} pairs of connections at concurrency 1, alternating\n`)
  console.log(
    `${'route'.padEnd(30)} ${'A p50'.padStart(8)} ${'B p50'.padStart(8)} ${'median B − A'.padStart(14)} ${'B faster'.padStart(9)}`,
  )
  for (const route of Object.keys(latencies.A)) {
    const [a, b] = [latencies.A[route], latencies.B[route]]
    const differences = a.map((value, i) => b[i] - value)
    const faster = differences.filter((d) => d < 0).length / differences.length
    console.log(
      `${route.padEnd(30)} ${median(a).toFixed(1).padStart(8)} ${median(b).toFixed(1).padStart(8)} ${median(differences).toFixed(1).padStart(14)} ${`${Math.round(faster * 100)} %`.padStart(9)}`,
    )
  }
  const [cpuA, cpuB] = [cpuPerConnection('A'), cpuPerConnection('B')]
  console.log(
    `\nCPU ms per connection (each side's workerd, less its idle): A ${cpuA.toFixed(1)}, B ${cpuB.toFixed(1)} (B ÷ A ${(cpuB / cpuA).toFixed(2)})`,
  )
} catch (error) {
  console.error(log.slice(-40).join('\n'))
  throw error
} finally {
  await stopAll()
}
