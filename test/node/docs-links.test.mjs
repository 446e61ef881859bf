/**
 * Every relative link in the README, SECURITY.md and docs/ resolves: to a file that exists, and, with a #fragment,
 * to a heading of that file (GitHub's anchors: lower case, punctuation dropped, spaces as hyphens).
 */
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { test } from 'node:test'

const files = [
  'README.md',
  'SECURITY.md',
  ...readdirSync('docs')
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
]
const withoutCode = (text) => text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, (span) => span.replace(/[[\]()]/g, ' '))
const anchor = (heading) =>
  heading
    .replace(/`/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_\- ]/gu, '')
    .replace(/ /g, '-')
const anchorsOf = (file) => new Set([...readFileSync(file, 'utf8').matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchor(m[1])))

test('every relative link in the README, SECURITY.md and docs/ resolves, fragments included', () => {
  const broken = []
  let checked = 0
  for (const file of files) {
    for (const [, href] of withoutCode(readFileSync(file, 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(href)) continue // https:, mailto:
      checked++
      const [path, fragment] = href.split('#')
      const target = path ? join(dirname(file), path) : file
      if (!existsSync(target)) broken.push(`${file}: ${href} (no such file)`)
      else if (fragment && target.endsWith('.md') && !anchorsOf(target).has(fragment)) broken.push(`${file}: ${href} (no such heading)`)
    }
  }
  assert.ok(checked > 20, `only ${checked} links found: the pattern is wrong`)
  assert.deepEqual(broken, [])
})

/** A path the text names (in backticks or bare): under src/, test/, mock/, scripts/, docs/, bench/, types/ or public/. */
const NAMED_PATH = /(?<![\w./-])((?:src|test|mock|scripts|docs|bench|types|public)\/[\w./*-]*[\w*])/g
const README_SECTION = /README(?:'s)?,?\s+(?:section\s+)?["“]([^"”]+)["”]|["“]([^"”]+)["”]\s+(?:section\s+)?(?:in|of)\s+the\s+README/g

/** Files a run makes (git-ignored: .dev.vars, bench results): named, but not in a clean clone. */
const generated = readFileSync('.gitignore', 'utf8')
  .split('\n')
  .map((line) => line.trim().replace(/^\//, ''))
  .filter((line) => line && !line.startsWith('#') && !line.includes('*'))
const isGenerated = (path) => generated.some((entry) => (entry.endsWith('/') ? path.startsWith(entry) : path === entry))
/** The official client's files are cited by the same kind of path (`src/requests/…`): a path right after its name is its. */
const citesOfficialClient = (before) => /(moneyhub-api-client|official client)[^.;]{0,100}$/.test(before)

test('every src/, test/, mock/, scripts/… path and every README section the docs name exists', () => {
  const missing = []
  let checked = 0
  const readmeHeadings = new Set([...readFileSync('README.md', 'utf8').matchAll(/^#{1,6} (.+)$/gm)].map((m) => m[1].trim()))
  for (const file of files) {
    const text = readFileSync(file, 'utf8')
    for (const match of text.matchAll(NAMED_PATH)) {
      const path = match[1].replace(/[.]+$/, '')
      if (path.includes('*') || path.includes('<')) continue // a pattern (test/*.test.ts), not a file
      if (isGenerated(path) || citesOfficialClient(text.slice(Math.max(0, match.index - 200), match.index))) continue
      checked++
      if (!existsSync(path)) missing.push(`${file}: ${path}`)
    }
    for (const [, a, b] of text.matchAll(README_SECTION)) {
      const section = (a ?? b).replace(/\s+/g, ' ').trim()
      checked++
      if (!readmeHeadings.has(section)) missing.push(`${file}: README section "${section}"`)
    }
  }
  assert.ok(checked > 50, `only ${checked} paths found: the pattern is wrong`)
  assert.deepEqual(missing, [])
})
