// An app that installs this package the README's way gets AppType and the browser helper typed, under TypeScript 5
// and 7, as a Node backend (NodeNext), with a bundler, and in a browser (DOM lib): no extra setup.
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, before, describe, it } from 'node:test'

const ROOT = resolve('.')
/** The app's own compilers (from the registry, in the app's node_modules). */
const COMPILERS = { 'TypeScript 5': 'typescript5/bin/tsc', 'TypeScript 7': 'typescript7/bin/tsc' }

const backend = `import { hc } from 'hono/client'
import type { AppType } from 'moneyhub-edge-connect'

const client = hc<AppType>('http://127.0.0.1:8787', { headers: { authorization: 'Bearer key' } })
export async function start(bankId: string): Promise<string> {
  const started = await client.sessions.$post({ json: { bankId, returnTo: 'http://127.0.0.1:9000/back' } })
  if (started.status !== 201) throw new Error('not started')
  const session = await started.json()
  const status = await client.sessions[':id'].$get({ param: { id: session.id }, query: {} })
  const read = await status.json()
  if ('status' in read) console.log(read.status)
  // @ts-expect-error bankId is a string: the routes are typed, not any
  await client.sessions.$post({ json: { bankId: 42 } })
  return session.authorizeUrl
}
`
const browser = `import { connectBank, ConnectError, sessionFromReturn, waitForStatus, type Session } from 'moneyhub-edge-connect/client'

const baseUrl = 'http://127.0.0.1:8787'
const back = sessionFromReturn()
if (back) {
  const session: Session = await waitForStatus(back.session, { baseUrl })
  document.body.dataset.status = session.status
} else {
  try {
    await connectBank({ baseUrl, bankId: 'test', returnTo: location.href })
  } catch (error) {
    if (error instanceof ConnectError) console.log(error.code)
  }
}
// @ts-expect-error baseUrl is required: the helper is typed, not any
await connectBank({ bankId: 'test' })
`
const PROJECTS = {
  'Node backend (NodeNext)': {
    compilerOptions: { target: 'es2022', lib: ['es2022'], module: 'NodeNext', moduleResolution: 'NodeNext', types: ['node'] },
    files: { 'backend.ts': backend },
  },
  'bundler resolution': {
    compilerOptions: { target: 'es2022', lib: ['es2022', 'dom'], module: 'ESNext', moduleResolution: 'bundler', types: [] },
    files: { 'backend.ts': backend, 'page.ts': browser },
  },
  'browser (DOM lib)': {
    compilerOptions: { target: 'es2022', lib: ['es2022', 'dom', 'dom.iterable'], module: 'ESNext', moduleResolution: 'bundler', types: [] },
    files: { 'page.ts': browser },
  },
}

/**
 * The README's step 4, as written: its commands, run from an app folder beside this checkout (a link named
 * `moneyhub-edge-connect` stands for "this folder", as in the README). hono and TypeScript come from the registry, as
 * an app has them, never from this checkout's node_modules.
 */
function readmeInstallCommands() {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const step = readme.slice(readme.indexOf('4. From your page instead'), readme.indexOf('5. Against Moneyhub'))
  const block = /```sh\n([\s\S]*?)```/.exec(step)
  assert.ok(block, "README's step 4 has a sh block")
  return block[1]
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
}

let parent, app
before(() => {
  parent = mkdtempSync(join(tmpdir(), 'consumer-'))
  symlinkSync(ROOT, join(parent, 'moneyhub-edge-connect'))
  app = join(parent, 'app')
  mkdirSync(app)
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }))
  const run = (command) => {
    const result = spawnSync(command, {
      cwd: app,
      encoding: 'utf8',
      shell: true,
      env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' },
    })
    assert.equal(result.status, 0, `${command}\n${result.stdout}${result.stderr}`)
  }
  // What the app has anyway: TypeScript (5 and the current 7) and Node's types, from the registry.
  run('npm install -D typescript5@npm:typescript@5 typescript7@npm:typescript@7 @types/node')
  for (const command of readmeInstallCommands()) run(command)
})
after(() => parent && rmSync(parent, { recursive: true, force: true }))

/** Runs tsc on a project; resolves with its exit code and output. */
const tscRun = (tsc, path) =>
  new Promise((resolveRun) => {
    const child = spawn(process.execPath, [tsc, '-p', path], { cwd: path, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk) => (output += chunk))
    child.on('close', (status) => resolveRun({ status, output }))
  })

// The six checks are independent processes: run at once, they take the time of the slowest (TypeScript 5, NodeNext).
describe('an app installing the package type-checks', { concurrency: true }, () => {
  for (const [name, project] of Object.entries(PROJECTS))
    for (const [compiler, tsc] of Object.entries(COMPILERS))
      it(`${name}, ${compiler}: tsc passes with no skipLibCheck`, { timeout: 180_000 }, async () => {
        const path = join(app, `${name}-${compiler}`.replace(/\W+/g, '-'))
        mkdirSync(path, { recursive: true })
        writeFileSync(
          join(path, 'tsconfig.json'),
          JSON.stringify({
            compilerOptions: { ...project.compilerOptions, strict: true, noEmit: true, skipLibCheck: false },
            include: ['*.ts'],
          }),
        )
        for (const [file, text] of Object.entries(project.files)) writeFileSync(join(path, file), text)
        const result = await tscRun(join(app, 'node_modules', tsc), path)
        assert.equal(result.status, 0, result.output)
      })
})
