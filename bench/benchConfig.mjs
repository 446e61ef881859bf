/**
 * The bench Worker's config, shared by bench/run.mjs and bench/profile.mjs: the root wrangler.toml with
 * bench/worker.ts as main and limits out of the way (one client IP sends everything).
 */
import { readFileSync, writeFileSync } from 'node:fs'

export const BENCH_CONFIG = 'bench/.wrangler.bench.toml'

export function writeBenchConfig() {
  const config = readFileSync('wrangler.toml', 'utf8')
    .replace('name = "moneyhub-edge-connect"', 'name = "moneyhub-edge-connect-bench"')
    .replace('main = "src/index.ts"', 'main = "worker.ts"')
    .replaceAll('"./src/http/', '"../src/http/') // [alias] paths
    .replace('directory = "./public"', 'directory = "../public"') // [assets]
    .replace(/limit = \d+, period = 60/g, 'limit = 1000000, period = 60')
    // BenchProbe (bench/worker.ts): the calibration's Durable Object.
    .replace(
      '[[analytics_engine_datasets]]',
      '[[durable_objects.bindings]]\nname = "BENCH_PROBE"\nclass_name = "BenchProbe"\n\n[[migrations]]\ntag = "bench-v1"\nnew_sqlite_classes = ["BenchProbe"]\n\n[[analytics_engine_datasets]]',
    )
  writeFileSync(BENCH_CONFIG, config)
  return BENCH_CONFIG
}
