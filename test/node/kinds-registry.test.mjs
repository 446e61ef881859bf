/**
 * The journey registry (src/kinds/registry.ts) is the only list of journeys (issue 29): every journey file of
 * src/kinds/ is in it, and no file of src/ outside src/kinds/ spells two or more journey names as string literals
 * (a list of kinds, or a switch over them): what differs between journeys is a field of its kind, read from the
 * registry. A single name (`kind === 'payment'`) is not caught: it is a check, not a list.
 */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { test } from 'node:test'

const KINDS = 'src/kinds'
/** The journey names, as each journey file declares its kind's `name`. */
const journeys = readdirSync(KINDS)
  .filter((f) => f.endsWith('.ts'))
  .flatMap((f) => [...readFileSync(join(KINDS, f), 'utf8').matchAll(/^ {2}name: '([a-z_]+)',$/gm)].map((m) => ({ file: f, name: m[1] })))

/**
 * Files that spell names of journeys for something else, each with why (keyed by file name, so a move keeps them):
 * scopes.ts lists Moneyhub's scopes `payment` and `reverse_payment`, which are spelled as kinds are; the id index
 * (moneyhubIds.ts, to be objects/moneyhubIdIndex.ts) stores what a held id is a record of, which includes
 * `recurring_pay` (a pay under a consent, not a journey). Assumption (project): to derive its type from the registry
 * is that file's owner's change.
 */
const ELSEWHERE = new Set(['scopes.ts', 'moneyhubIds.ts', 'moneyhubIdIndex.ts'])

const sources = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  )

test('every journey file of src/kinds/ is in the registry, under its own name', () => {
  assert.ok(journeys.length >= 5, `journey names found: ${journeys.map((j) => j.name)}`)
  const registry = readFileSync(join(KINDS, 'registry.ts'), 'utf8')
  for (const { file, name } of journeys) {
    assert.match(registry, new RegExp(`from '\\./${file.replace(/\.ts$/, '')}'`), `${file} is not imported by registry.ts`)
    if (name !== 'connection') assert.match(registry, new RegExp(`^ {2}${name}: `, 'm'), `${name} is not a key of PAYMENT_KINDS`)
  }
})

test('no file of src/ outside src/kinds/ spells a list of journeys', () => {
  const names = new Set(journeys.map((j) => j.name))
  const lists = []
  for (const file of sources('src')) {
    if (relative(KINDS, file).split('/')[0] !== '..' || ELSEWHERE.has(file.split('/').pop())) continue
    const code = readFileSync(file, 'utf8')
    const spelled = new Set([...code.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]).filter((word) => names.has(word) && word !== 'connection'))
    if (spelled.size >= 2) lists.push(`${file}: ${[...spelled].join(', ')}`)
  }
  assert.deepEqual(lists, [], 'read these from src/kinds/registry.ts (a kind field, PAYMENT_KIND_NAMES, OUTCOME_IDS, …)')
})
