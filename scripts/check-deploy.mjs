#!/usr/bin/env node
/**
 * Run by `npm run deploy` before `wrangler deploy --env production`: refuses to
 * deploy while nobody is logged in to Cloudflare (`wrangler whoami`, checked
 * first, so that wrangler deploy never opens a browser login from a script), or
 * while wrangler.toml's production environment still holds placeholders
 * (`<your …>`) or vars that the Worker's own config code rejects, and lists
 * everything to fix at once.
 *
 *   node scripts/check-deploy.mjs [--config wrangler.toml] [--env production]
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { pathToFileURL } from 'node:url'
import { TOOL_ENV } from './lib/servers.mjs'
import { configProblems, ROOT } from './lib/workerCode.mjs'

/** The production environment's lines of a wrangler.toml, with the section each sits in. */
function environmentLines(text, env) {
  const lines = []
  let section = ''
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.replace(/^\s+/, '')
    const header = line.match(/^\[\[?([^\]]+)\]\]?/)
    if (header) section = header[1].trim()
    else if (section === `env.${env}` || section.startsWith(`env.${env}.`)) lines.push({ number: i + 1, section, line })
  }
  return lines
}

const PLACEHOLDER = /<[^<>]*>/

export async function deployProblems(text, env = 'production') {
  const lines = environmentLines(text, env)
  const problems = []
  const vars = {}
  for (const { number, section, line } of lines) {
    if (line.startsWith('#')) continue
    const m = line.match(/^([A-Za-z0-9_]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|(.*))\s*$/)
    if (!m) continue
    const [, name, dq, sq, bare] = m
    const value = dq ?? sq ?? bare.trim()
    if (section === `env.${env}.vars`) vars[name] = value
    const placeholder = value.match(PLACEHOLDER)
    if (placeholder) problems.push(`line ${number}: [${section}] ${name} is still the placeholder ${placeholder[0]}`)
  }
  if (!lines.some(({ section }) => section === `env.${env}.kv_namespaces`))
    problems.push(`[[env.${env}.kv_namespaces]] SESSIONS is not declared`)
  // The vars (not the secrets, which live at Cloudflare) must pass the Worker's own checks; placeholders are reported above already.
  const named = Object.keys(vars).filter((name) => !PLACEHOLDER.test(vars[name]))
  for (const problem of await configProblems(vars)) {
    const name = problem.split(' ')[0]
    if (named.includes(name) || (!(name in vars) && ['MONEYHUB_CLIENT_ID', 'MONEYHUB_REDIRECT_URI'].includes(name)))
      problems.push(`[env.${env}.vars] ${problem}`)
  }
  return problems
}

/**
 * Why wrangler cannot deploy as whom, or undefined when logged in: `wrangler whoami --json` answers
 * `{"loggedIn":false}` (exit 1) without a login, and never prompts (no stdin).
 */
export function loginProblem(env = TOOL_ENV) {
  const result = spawnSync(join(ROOT, 'node_modules', '.bin', 'wrangler'), ['whoami', '--json'], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  })
  let answer
  try {
    answer = JSON.parse(result.stdout.slice(result.stdout.indexOf('{')))
  } catch {}
  if (answer?.loggedIn === true) return undefined
  const how =
    'Log in once with npx wrangler login (it opens a browser), or set CLOUDFLARE_API_TOKEN (and CLOUDFLARE_ACCOUNT_ID) for CI; check with npx wrangler whoami.'
  if (answer?.loggedIn === false) return `Not logged in to Cloudflare. ${how}`
  const said = `${result.stderr ?? ''}${result.stdout ?? ''}`.trim().split('\n').slice(-2).join(' ')
  return `Could not check the Cloudflare login (wrangler whoami: ${result.error?.message ?? (said || `exit ${result.status}`)}). ${how}`
}

async function main() {
  const { values } = parseArgs({
    options: { config: { type: 'string', default: 'wrangler.toml' }, env: { type: 'string', default: 'production' } },
  })
  const login = loginProblem()
  if (login) console.error(`\n✖ Not deploying: ${login}`)
  const problems = await deployProblems(readFileSync(values.config, 'utf8'), values.env)
  if (!problems.length && login) process.exit(1)
  if (problems.length) {
    console.error(`\n✖ Not deploying: ${values.config} needs these filled in first (docs/deploying.md):\n`)
    for (const problem of problems) console.error(`  - ${problem}`)
    console.error(
      `\n  Secrets are set apart: npx wrangler secret put CLIENT_PRIVATE_JWKS --env ${values.env} (and TOKEN_ENCRYPTION_KEY, BACKEND_API_KEY, HEALTH_API_KEY).\n`,
    )
    process.exit(1)
  }
  console.log(`✔ Logged in to Cloudflare, and ${values.config} [env.${values.env}] has no placeholders left; deploying.`)
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error) => {
    console.error(`check-deploy: ${error.message}`)
    process.exit(1)
  })
}
