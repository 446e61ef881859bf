/**
 * The Worker's own TypeScript, bundled with esbuild (the one wrangler uses) for
 * Node-side tools: `npm run dev` checks the settings with src/config.ts before
 * it says "Ready", and the browser helper (src/client/browser.ts) is built into
 * the module that GET /client.js serves; the OpenAPI document that GET
 * /openapi.json serves is generated from the routes (src/index.ts) here too.
 */
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'esbuild'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** `cloudflare:workers` exists only in workerd: Node gets a stand-in for the classes the Worker extends. */
const workersRuntimeStub = {
  name: 'cloudflare-workers-stub',
  setup(b) {
    b.onResolve({ filter: /^cloudflare:workers$/ }, () => ({ path: 'cloudflare:workers', namespace: 'stub' }))
    b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
      contents: 'export class DurableObject {}; export const env = {}; export const waitUntil = () => {}',
      loader: 'js',
    }))
  },
}

/** Imports a TypeScript module of the Worker (or `source`, resolved from the root) into Node, bundled with its dependencies. */
async function importWorkerModule(entry, source, { openapiBuild = false } = {}) {
  const result = await build({
    ...(source ? { stdin: { contents: source, resolveDir: ROOT, sourcefile: entry, loader: 'ts' } } : { entryPoints: [join(ROOT, entry)] }),
    plugins: [workersRuntimeStub],
    // Route descriptions and the answers' schemas: only the OpenAPI document's build reads them (src/http/openapiBuild.d.ts).
    define: { OPENAPI_BUILD: String(openapiBuild) },
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    write: false,
    logLevel: 'silent',
  })
  const dir = mkdtempSync(join(tmpdir(), 'worker-module-'))
  const file = join(dir, 'module.mjs')
  writeFileSync(file, result.outputFiles[0].contents)
  try {
    return await import(pathToFileURL(file).href)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The `[vars]` of a wrangler.toml (top level only): what wrangler dev sets before .dev.vars overrides it. */
export function tomlVars(path = join(ROOT, 'wrangler.toml')) {
  const vars = {}
  let inVars = false
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (/^\s*\[/.test(line)) inVars = line.trim() === '[vars]'
    const m = inVars && line.match(/^\s*([A-Z0-9_]+)\s*=\s*(?:"([^"]*)"|'([^']*)')\s*$/)
    if (m) vars[m[1]] = m[2] ?? m[3]
  }
  return vars
}

/**
 * Every problem src/config.ts finds in these settings (wrangler.toml's [vars]
 * overridden by `vars`), as `NAME what is wrong` lines; [] when they are valid.
 */
export async function configProblems(vars) {
  const { readConfig, ConfigError } = await importWorkerModule('src/config.ts')
  // Bindings are not settings; a stand-in lets the check look at the variables only.
  const env = { ...tomlVars(), ...vars, SESSIONS: {} }
  try {
    await readConfig(env)
    return []
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => p.message)
    throw error
  }
}

export const CLIENT_SOURCE = 'src/client/browser.ts'
export const CLIENT_MODULE = 'src/client/browserModule.generated.ts'

/** src/client/browser.ts as one ES module for browsers, and its version (a hash of the code). */
export async function buildClientScript() {
  const result = await build({
    entryPoints: [join(ROOT, CLIENT_SOURCE)],
    absWorkingDir: ROOT, // the paths esbuild writes into comments, the same from any directory
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    legalComments: 'none',
  })
  const code = result.outputFiles[0].text
  const version = createHash('sha256').update(code).digest('hex').slice(0, 12)
  return { code, version }
}

/** The TypeScript module the Worker imports: the built helper as a string, with its version. */
export async function clientModuleSource() {
  const { code, version } = await buildClientScript()
  return [
    `// Generated from ${CLIENT_SOURCE} by \`npm run build:client\` (also run by npm run dev and npm run deploy). Do not edit.`,
    `// test/node/client-script.test.mjs fails when this file is out of date.`,
    `export const CLIENT_SCRIPT_VERSION = ${JSON.stringify(version)}`,
    `export const CLIENT_SCRIPT = ${JSON.stringify(code)}`,
    '',
  ].join('\n')
}

/** Writes a generated module when it differs from what is there; true when it changed. */
function writeIfChanged(relativePath, source) {
  const path = join(ROOT, relativePath)
  let current = ''
  try {
    current = readFileSync(path, 'utf8')
  } catch {}
  if (current === source) return false
  writeFileSync(path, source)
  return true
}

/** Writes the browser helper's module when it differs; true when it changed. */
export const writeClientModule = async () => writeIfChanged(CLIENT_MODULE, await clientModuleSource())

/**
 * The OpenAPI document is a static asset (Workers Static Assets, public/): served beside the
 * Worker, not inside it, so its ~50 KB stay out of the bundle (docs/performance.md, "Bundle").
 */
export const OPENAPI_ASSET = 'public/openapi.json'

/**
 * The OpenAPI document of the app's routes, as GET /openapi.json serves it:
 * hono-openapi's generateSpecs over the Worker's app (each route's
 * describeRoute and validators) with src/http/openapi.ts's OPENAPI_OPTIONS.
 */
export async function buildOpenapiDocument() {
  const { app, OPENAPI_OPTIONS, generateSpecs } = await importWorkerModule(
    'openapi-entry.ts',
    [
      `export { default as app } from './src/index.ts'`,
      `export { OPENAPI_OPTIONS } from './src/http/openapi.ts'`,
      `export { generateSpecs } from 'hono-openapi'`,
    ].join('\n'),
    { openapiBuild: true },
  )
  return generateSpecs(app, OPENAPI_OPTIONS)
}

/** The asset's text: the document as JSON (test/node/openapi-document.test.mjs fails when the file is out of date). */
export const openapiAssetSource = async () => `${JSON.stringify(await buildOpenapiDocument(), null, 1)}\n`

/** Writes the OpenAPI document's asset when it differs; true when it changed. */
export const writeOpenapiAsset = async () => writeIfChanged(OPENAPI_ASSET, await openapiAssetSource())
