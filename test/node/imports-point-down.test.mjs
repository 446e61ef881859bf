/**
 * Imports in src/ point down (issue 29): the low level never imports what is built on it, and the HTTP layer is the
 * top, below only the app (src/index.ts). Read by dpdm's own parser (a maintained tool, the one the cycle test runs,
 * not a hand-written graph), every module of src/, type-only imports included:
 * - src/errors.ts, the error table, imports nothing at all;
 * - src/util/ imports, of src/, only src/errors.ts and src/util/;
 * - no module outside src/http/ and src/routes/ (but the app, src/index.ts) imports from src/http/ or src/routes/;
 * - nothing imports from src/routes/ but src/index.ts: a route file is mounted, never imported (what two routes share
 *   lives below them, in src/http/ or lower).
 * A module that breaks one belongs at another level: move the thing it needs down to where both can reach it.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseDependencyTree } from 'dpdm'

const tree = await parseDependencyTree('src/**/*.ts', { context: process.cwd(), transform: false })
/** Every import of a module of src/: who imports, what it asked for, and the module of src/ it resolved to (if any). */
const imports = Object.entries(tree)
  .filter(([file, deps]) => file.startsWith('src/') && deps)
  .flatMap(([file, deps]) => deps.map((d) => ({ from: file, request: d.request, to: d.id?.startsWith('src/') ? d.id : undefined })))

const within = (file, ...dirs) => dirs.some((dir) => (dir.endsWith('/') ? file.startsWith(dir) : file === dir))
const show = (found) => found.map((i) => `${i.from} -> ${i.to ?? i.request}`).join('\n')

test('dpdm read the modules of src/ and their imports', () => {
  const modules = new Set(imports.map((i) => i.from))
  assert.ok(modules.size >= 100, `modules read: ${modules.size}`)
  assert.ok(modules.has('src/index.ts') && modules.has('src/util/valibot.ts'))
  assert.ok(imports.some((i) => i.from === 'src/index.ts' && i.to?.startsWith('src/routes/')))
})

test('src/errors.ts imports nothing', () => {
  const found = imports.filter((i) => i.from === 'src/errors.ts')
  assert.deepEqual(found, [], show(found))
})

test('src/util/ imports nothing of src/ but src/errors.ts and src/util/', () => {
  const found = imports.filter((i) => within(i.from, 'src/util/') && i.to && !within(i.to, 'src/util/', 'src/errors.ts'))
  assert.deepEqual(found, [], `low level importing up:\n${show(found)}`)
})

test('only src/http/, src/routes/ and the app import from src/http/ or src/routes/', () => {
  const found = imports.filter(
    (i) => !within(i.from, 'src/http/', 'src/routes/', 'src/index.ts') && i.to && within(i.to, 'src/http/', 'src/routes/'),
  )
  assert.deepEqual(found, [], `importing the HTTP layer from below it:\n${show(found)}`)
})

test('nothing imports from src/routes/ but src/index.ts', () => {
  const found = imports.filter((i) => i.from !== 'src/index.ts' && i.to && within(i.to, 'src/routes/'))
  assert.deepEqual(found, [], `a route file imported:\n${show(found)}`)
})
