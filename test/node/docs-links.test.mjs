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
