#!/usr/bin/env node
/**
 * npm run test:browser: the browser tests at once (each starts its own servers on ports of its own), each one's
 * output printed whole when it ends; fails if either fails. Ctrl-C stops both (and, through them, their servers).
 */
import { spawn } from 'node:child_process'

const SCRIPTS = ['test/e2e/demo.e2e.mjs', 'test/e2e/dashboard.e2e.mjs']

const children = []
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => children.forEach((child) => child.kill(signal)))

const codes = await Promise.all(
  SCRIPTS.map(
    (script) =>
      new Promise((resolveRun) => {
        const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] })
        children.push(child)
        const output = []
        for (const [stream, to] of [
          [child.stdout, process.stdout],
          [child.stderr, process.stderr],
        ])
          stream.on('data', (chunk) => output.push([to, chunk]))
        child.on('close', (code, signal) => {
          for (const [to, chunk] of output) to.write(chunk)
          resolveRun(code ?? (signal ? 1 : 0))
        })
      }),
  ),
)
process.exit(codes.some((code) => code !== 0) ? 1 : 0)
