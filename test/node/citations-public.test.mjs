/**
 * Every citation can be checked by a reader of the repository (issue 27, "Every citation public"): a markdown or text
 * file named in src/, mock/, docs/, the README or SECURITY.md is a file of this repository, or is clearly another
 * repository's (its owner/name or its address right before it), or is one the reader makes by a command the docs give.
 * The working notes once cited in comments are not in the repository, so their name must appear nowhere.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { basename, dirname, join, normalize } from 'node:path'
import { test } from 'node:test'

/** Tracked files, and new ones not yet committed (ignored files are not the repository's). */
const repoFiles = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { encoding: 'utf8' })
  .split('\n')
  .filter(Boolean)
const repoSet = new Set(repoFiles)
const repoNames = new Set(repoFiles.map((f) => basename(f)))
const topDirs = new Set(repoFiles.filter((f) => f.includes('/')).map((f) => f.split('/')[0]))

const scanned = repoFiles.filter((f) => /^(src|mock|docs)\//.test(f) || f === 'README.md' || f === 'SECURITY.md')

/** A file name ending .md or .txt, with the path written before it, if any. */
const FILE_NAME = /[\w.@+/-]*[\w-]\.(?:md|txt)\b/g

/** Files the reader makes by a command the docs give (`… > keys.txt`), never committed. Each must be such a target. */
const MADE_BY_THE_READER = ['keys.txt']

/**
 * Another repository named right before the file, in the same clause: `owner/name` (not a folder of this repository),
 * then the path (`moneyhub/api-docs source/identity-docs.md`). A `;`, a bracket or a full stop ends the clause.
 */
const otherRepository = (before) => {
  const clause = before.split(/[;()]|\.\s/).at(-1)
  for (const [, owner] of clause.matchAll(/(?<![\w./-])([A-Za-z0-9][\w.-]*)\/[A-Za-z0-9][\w.-]*/g)) {
    if (!topDirs.has(owner) && owner !== '.' && owner !== '..') return true
  }
  return false
}

/** The whitespace-delimited word around a match: a whole address (https://…/README.md) is another site's file. */
const wordAround = (line, index, length) => {
  const start = line.lastIndexOf(' ', index) + 1
  const end = line.indexOf(' ', index + length)
  return line.slice(start, end === -1 ? undefined : end)
}

function uncheckable(file, text) {
  const found = []
  const lines = text.split('\n')
  lines.forEach((line, i) => {
    for (const match of line.matchAll(FILE_NAME)) {
      const name = match[0].replace(/^\.?\/(?!\.)/, '')
      if (wordAround(line, match.index, match[0].length).includes('://')) continue
      if (name.includes('/')) {
        const fromFile = normalize(join(dirname(file), name))
        if (repoSet.has(fromFile) || repoSet.has(normalize(name))) continue
      } else if (repoNames.has(name)) continue
      if (MADE_BY_THE_READER.includes(basename(name))) continue
      if (otherRepository(line.slice(Math.max(0, match.index - 160), match.index))) continue
      found.push(`${file}:${i + 1}: ${match[0]}`)
    }
  })
  return found
}

test('every .md or .txt file that src/, mock/, docs/, the README and SECURITY.md name is in the repository', () => {
  assert.ok(scanned.length > 50, `only ${scanned.length} files scanned: the selection is wrong`)
  const missing = scanned.flatMap((file) => uncheckable(file, readFileSync(file, 'utf8')))
  assert.deepEqual(missing, [])
})

test('the files the reader makes are made by a command the docs give', () => {
  const docs = repoFiles.filter((f) => f.endsWith('.md')).map((f) => readFileSync(f, 'utf8'))
  for (const name of MADE_BY_THE_READER) {
    assert.ok(
      docs.some((text) => text.includes(`> ${name}`)),
      `${name} is not the target of a command in the docs`,
    )
  }
})

test('the working notes are cited nowhere in the repository', () => {
  const notes = ['MONEYHUB', 'NOTES'].join('-')
  const self = 'test/node/citations-public.test.mjs'
  const citing = repoFiles
    .filter((f) => f !== self && !/\.(png|jpg|ico|woff2?)$/.test(f))
    .filter((f) => {
      try {
        return readFileSync(f, 'utf8').includes(notes)
      } catch {
        return false // a deleted file git still lists
      }
    })
  assert.deepEqual(citing, [])
})

test('the check itself sees a missing file, another repository and an address', () => {
  assert.deepEqual(uncheckable('src/x.ts', '// Source: NOT-HERE-NOTES.md "Payments".'), ['src/x.ts:1: NOT-HERE-NOTES.md'])
  assert.deepEqual(uncheckable('docs/x.md', 'See [a](../README.md) and webhooks.md.'), [])
  assert.deepEqual(uncheckable('src/x.ts', '// moneyhub/api-docs source/identity-docs.md: limit'), [])
  assert.deepEqual(uncheckable('src/x.ts', '// https://github.com/moneyhub/moneyhub-api-client/blob/master/readme.md'), [])
  assert.deepEqual(uncheckable('src/x.ts', '// src/payments/schemas.ts and docs/missing-page.md'), ['src/x.ts:1: docs/missing-page.md'])
  assert.deepEqual(uncheckable('mock/x.ts', '// Source: @mft/moneyhub-api-client src/tokens.ts; GONE.md use case 2.'), [
    'mock/x.ts:1: GONE.md',
  ])
})
