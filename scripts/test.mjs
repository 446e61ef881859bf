#!/usr/bin/env node
/**
 * npm test: the steps below, in order, each as `npm run <step>` (package.json), stopping at the first that fails;
 * then how long each took and the whole. The time is printed after a failure too, so a slow run is never silent.
 */
import { spawnSync } from 'node:child_process'

const STEPS = ['typecheck', 'types:check', 'test:workerd', 'test:node', 'test:browser']

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`
const begun = performance.now()
const took = []
let failed
for (const step of STEPS) {
  const started = performance.now()
  const { status, signal } = spawnSync('npm', ['run', step], { stdio: 'inherit' })
  took.push([step, performance.now() - started])
  if (status !== 0) {
    failed = { step, code: status ?? 1, signal }
    break
  }
}
const width = Math.max(...took.map(([step]) => step.length))
console.log(`\nnpm test ${failed ? `failed at ${failed.step}${failed.signal ? ` (${failed.signal})` : ''}` : 'passed'}:`)
for (const [step, ms] of took) console.log(`  ${step.padEnd(width)}  ${seconds(ms).padStart(8)}`)
console.log(`  ${'in all'.padEnd(width)}  ${seconds(performance.now() - begun).padStart(8)}`)
process.exit(failed ? failed.code : 0)
