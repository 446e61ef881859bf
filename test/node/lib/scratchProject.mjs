/**
 * A project directory of its own (its .dev.vars and wrangler state) sharing this one's code, for running
 * `npm run dev` (scripts/dev.mjs) as a user would without touching this checkout's .dev.vars.
 */
import { spawn } from 'node:child_process'
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { TOOL_ENV } from '../../../scripts/lib/servers.mjs'

export function scratchProject(devVars) {
  const dir = mkdtempSync(join(tmpdir(), 'dev-project-'))
  mkdirSync(join(dir, 'mock'))
  for (const path of ['node_modules', 'mock/src']) symlinkSync(resolve(path), join(dir, path))
  // A copy, not a link: wrangler's types check compares the import path of src/index.ts as seen from the project.
  cpSync('src', join(dir, 'src'), { recursive: true })
  cpSync('public', join(dir, 'public'), { recursive: true }) // static assets (the OpenAPI document)
  for (const path of [
    'wrangler.toml',
    'worker-configuration.d.ts',
    'worker-runtime.d.ts',
    '.dev.vars.example',
    'mock/wrangler.toml',
    'mock/worker-configuration.d.ts',
    'mock/.dev.vars.example',
  ])
    copyFileSync(path, join(dir, path))
  if (devVars !== undefined) writeFileSync(join(dir, '.dev.vars'), devVars)
  return dir
}

/** Starts scripts/dev.mjs in `dir`; resolves once it says Ready (or rejects with its output). */
export async function startDev(dir, { env = {}, args = [], seconds = 180 } = {}) {
  const output = []
  const child = spawn(process.execPath, [resolve('scripts/dev.mjs'), ...args], {
    cwd: dir,
    env: { ...TOOL_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk) => output.push(...chunk.toString().split('\n')))
  const exited = new Promise((r) => child.once('exit', r))
  // npm run dev stops its servers (wrangler's whole process groups) on SIGTERM; this process ending must not orphan it.
  const orphaned = () => child.exitCode === null && child.signalCode === null && child.kill('SIGTERM')
  process.once('exit', orphaned)
  const stop = async () => {
    process.off('exit', orphaned)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await exited
  }
  const ready = await new Promise((resolveReady) => {
    const timer = setInterval(() => {
      if (output.some((l) => l.includes('✔ Ready'))) (clearInterval(timer), clearTimeout(deadline), resolveReady(true))
    }, 100)
    const deadline = setTimeout(() => (clearInterval(timer), resolveReady(false)), seconds * 1000)
    exited.then(() => (clearInterval(timer), clearTimeout(deadline), resolveReady(false)))
  })
  if (!ready) {
    await stop()
    throw new Error(`npm run dev did not get ready:\n${output.join('\n')}`)
  }
  return { output, stop }
}
