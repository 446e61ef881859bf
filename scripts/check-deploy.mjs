#!/usr/bin/env node
/**
 * Run by `npm run deploy` before `wrangler deploy --env production`: refuses to
 * deploy while wrangler.toml's production environment still holds placeholders
 * (`<your …>`) or vars that the Worker's own config code rejects, and lists
 * everything to fill in at once.
 *
 *   node scripts/check-deploy.mjs [--config wrangler.toml] [--env production]
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { pathToFileURL } from 'node:url'
import { configProblems } from './lib/workerCode.mjs'

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

async function main() {
  const { values } = parseArgs({
    options: { config: { type: 'string', default: 'wrangler.toml' }, env: { type: 'string', default: 'production' } },
  })
  const problems = await deployProblems(readFileSync(values.config, 'utf8'), values.env)
  if (problems.length) {
    console.error(`\n✖ Not deploying: ${values.config} needs these filled in first (docs/deploying.md):\n`)
    for (const problem of problems) console.error(`  - ${problem}`)
    console.error(
      `\n  Secrets are set apart: npx wrangler secret put CLIENT_PRIVATE_JWKS --env ${values.env} (and TOKEN_ENCRYPTION_KEY, BACKEND_API_KEY).\n`,
    )
    process.exit(1)
  }
  console.log(`✔ ${values.config} [env.${values.env}] has no placeholders left; deploying.`)
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error) => {
    console.error(`check-deploy: ${error.message}`)
    process.exit(1)
  })
}
