#!/usr/bin/env node
/**
 * npm run build:types: the declaration files package.json's `exports` point
 * at (types/index.d.ts for `AppType`, types/client.d.ts for the browser helper),
 * so that an app that installs this package type-checks declarations only,
 * never the Worker's sources (which need the Worker's runtime types).
 *
 * The project's TypeScript emits declarations for src/; each entry is then
 * rolled up into one file holding only what its exports reach (TypeScript 5's
 * parser, from the `typescript5` dev dependency, reads the emitted files: the
 * project's TypeScript 7 has no JavaScript API). Packages (hono, jose) stay
 * imports. The Worker's bindings (`AppEnv`) mean nothing to a client and become
 * hono's `BlankEnv`.
 *
 * The files are committed; test/node/types-build.test.mjs fails when they are out of date.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { format, resolveConfig } from 'prettier'
import ts from 'typescript5'
import { ROOT } from './lib/workerCode.mjs'

export const ENTRIES = [
  { output: 'types/index.d.ts', source: 'src/index.ts', names: ['AppType'] },
  { output: 'types/client.d.ts', source: 'src/client/browser.ts', names: 'all' },
]
/** Names replaced by a package's type wherever the rolled-up types reach them. */
const SUBSTITUTES = { 'src/http/context.d.ts#AppEnv': { from: 'hono/types', name: 'BlankEnv' } }

/** Declarations for src/ by the project's own TypeScript, in a temporary folder. */
function emitDeclarations() {
  const dir = mkdtempSync(join(tmpdir(), 'types-'))
  const tsc = join(ROOT, 'node_modules', '.bin', 'tsc')
  try {
    execFileSync(
      tsc,
      [
        '-p',
        join(ROOT, 'tsconfig.json'),
        '--noEmit',
        'false',
        '--declaration',
        '--emitDeclarationOnly',
        '--outDir',
        dir,
        '--rootDir',
        ROOT,
        // One checker: TypeScript 7 checks in parallel, and the order of a union's members in the emitted
        // declarations then varies from run to run (the sync test failed on a clean clone).
        '--singleThreaded',
      ],
      {
        stdio: 'pipe',
      },
    )
  } catch (error) {
    rmSync(dir, { recursive: true, force: true })
    throw new Error(`tsc could not emit declarations:\n${error.stdout}${error.stderr}`)
  }
  return dir
}

/** One emitted module: its top-level declarations by name, and where each imported name comes from. */
function readModule(path) {
  const sf = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true)
  const declarations = new Map()
  const imports = new Map()
  const exports = new Map()
  const declare = (name, statement) => declarations.set(name, [...(declarations.get(name) ?? []), statement])
  for (const statement of sf.statements) {
    if (ts.isImportDeclaration(statement)) {
      const from = statement.moduleSpecifier.text
      const clause = statement.importClause
      if (clause?.name) imports.set(clause.name.text, { from, name: 'default' })
      if (clause?.namedBindings && ts.isNamedImports(clause.namedBindings))
        for (const e of clause.namedBindings.elements) imports.set(e.name.text, { from, name: (e.propertyName ?? e.name).text })
    } else if (ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const e of statement.exportClause.elements) {
        const local = (e.propertyName ?? e.name).text
        if (statement.moduleSpecifier) imports.set(`export:${e.name.text}`, { from: statement.moduleSpecifier.text, name: local })
        exports.set(e.name.text, statement.moduleSpecifier ? `export:${e.name.text}` : local)
      }
    } else if (ts.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations) if (ts.isIdentifier(d.name)) declare(d.name.text, statement)
    } else if (statement.name && ts.isIdentifier(statement.name)) {
      declare(statement.name.text, statement)
      if (statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) exports.set(statement.name.text, statement.name.text)
    }
  }
  for (const statement of sf.statements)
    if (ts.isVariableStatement(statement) && statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword))
      for (const d of statement.declarationList.declarations) exports.set(d.name.text, d.name.text)
  return { sf, declarations, imports, exports }
}

/** Rolls up one entry: the declarations its names reach, each once, under a name unique in the file. */
function rollUp(emitted, entry) {
  const modules = new Map()
  const module = (path) => modules.get(path) ?? modules.set(path, readModule(path)).get(path)
  const outNames = new Map() // `${path}#${name}` → name in the output
  const taken = new Set()
  const packageImports = new Map() // `${from}#${name}` → local name
  const body = []
  const unique = (name) => {
    let candidate = name
    for (let i = 2; taken.has(candidate); i++) candidate = `${name}_${i}`
    taken.add(candidate)
    return candidate
  }
  const fromPackage = (from, name) => {
    const key = `${from}#${name}`
    if (!packageImports.has(key)) packageImports.set(key, unique(name))
    return packageImports.get(key)
  }
  const relativeTo = (path, from) => resolve(dirname(path), `${from.replace(/\.(js|ts)$/, '')}.d.ts`)

  /** The output name of `name` as seen in module `path`, pulling its declaration in. */
  function reach(path, name) {
    const key = `${path}#${name}`
    if (outNames.has(key)) return outNames.get(key)
    const substitute = SUBSTITUTES[`${relative(emitted, path)}#${name}`]
    if (substitute) return outNames.set(key, fromPackage(substitute.from, substitute.name)).get(key)
    const m = module(path)
    if (!m.declarations.has(name)) {
      const imported = m.imports.get(name) ?? m.imports.get(`export:${name}`)
      if (!imported) throw new Error(`${relative(emitted, path)}: ${name} is neither declared nor imported`)
      const out = imported.from.startsWith('.')
        ? reach(relativeTo(path, imported.from), imported.name)
        : fromPackage(imported.from, imported.name)
      return outNames.set(key, out).get(key)
    }
    const out = unique(name)
    outNames.set(key, out)
    for (const statement of m.declarations.get(name)) body.push(print(path, m, statement, name, out))
    return out
  }

  /** A statement's (or type's) text without `export`, each name it refers to replaced by its output name. */
  function print(path, m, node, name, out) {
    const edits = []
    const local = (id) => m.declarations.has(id) || m.imports.has(id)
    const visit = (n) => {
      if (n.kind === ts.SyntaxKind.ExportKeyword && n.parent === node) edits.push([n.getStart(m.sf), n.end + 1, ''])
      else if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument) && n.qualifier) {
        const from = n.argument.literal.text
        const target = ts.isIdentifier(n.qualifier) ? n.qualifier.text : n.qualifier.left.getText(m.sf)
        const ref = from.startsWith('.') ? reach(relativeTo(path, from), target) : fromPackage(from, target)
        const args = n.typeArguments ? `<${n.typeArguments.map((t) => print(path, m, t)).join(', ')}>` : ''
        const rest = ts.isIdentifier(n.qualifier) ? '' : `.${n.qualifier.right.text}`
        edits.push([n.getStart(m.sf), n.end, `${n.isTypeOf ? 'typeof ' : ''}${ref}${rest}${args}`])
        return
      } else if (
        ts.isIndexSignatureDeclaration(n) &&
        n.type &&
        ts.isTypeLiteralNode(n.parent) &&
        n.parent.members.some((p) => p.questionToken)
      )
        // hono's JSONParsed of a loose object: optional members beside `[x: string]: JSONValue`, which TypeScript
        // accepts as inferred but rejects written out (TS2411). The index signature allows their `undefined`.
        edits.push([n.type.end, n.type.end, ' | undefined'])
      else if (ts.isIdentifier(n) && isReference(n) && local(n.text)) {
        const ref = reach(path, n.text)
        if (ref !== n.text) edits.push([n.getStart(m.sf), n.end, ref])
      } else if (ts.isIdentifier(n) && n.text === name && out !== name && (n.parent === node || ts.isVariableDeclaration(n.parent)))
        edits.push([n.getStart(m.sf), n.end, out])
      ts.forEachChild(n, visit)
    }
    // A statement keeps its JSDoc comment.
    const start = node.getStart(m.sf, node.parent === m.sf)
    visit(node)
    let text = m.sf.text.slice(start, node.end)
    for (const [from, to, by] of edits.sort((x, y) => y[0] - x[0])) text = text.slice(0, from - start) + by + text.slice(to - start)
    return text
  }

  const entryPath = join(emitted, entry.source.replace(/\.ts$/, '.d.ts'))
  const m = module(entryPath)
  const names = entry.names === 'all' ? [...m.exports.keys()] : entry.names
  const exported = names.map((name) => [name, reach(entryPath, m.exports.get(name) ?? name)])
  const byPackage = new Map()
  for (const [key, local] of packageImports) {
    const [from, name] = key.split('#')
    byPackage.set(from, [...(byPackage.get(from) ?? []), name === local ? name : `${name} as ${local}`])
  }
  const imports = [...byPackage].map(([from, names]) => `import type { ${names.join(', ')} } from '${from}'`)
  return [
    `// Generated from ${entry.source} by \`npm run build:types\` (scripts/build-types.mjs). Do not edit.`,
    `// test/node/types-build.test.mjs fails when this file is out of date.`,
    ...imports,
    '',
    body.join('\n\n'),
    '',
    `export { ${exported.map(([name, out]) => (name === out ? name : `${out} as ${name}`)).join(', ')} }`,
    '',
  ].join('\n')
}

/** Type references only: the names of properties, parameters and members are left alone. */
function isReference(id) {
  const p = id.parent
  if (ts.isTypeReferenceNode(p) && p.typeName === id) return true
  if (ts.isExpressionWithTypeArguments(p) && p.expression === id) return true
  if (ts.isTypeQueryNode(p) && p.exprName === id) return true
  if (ts.isQualifiedName(p) && p.left === id) return isReference(p) || ts.isTypeReferenceNode(p.parent) || ts.isTypeQueryNode(p.parent)
  return false
}

/**
 * Every union's members in one order (by their text), innermost unions first: TypeScript 7 emits a union's members
 * in an order that can vary from run to run even with one checker, and the order means nothing to the type.
 */
function sortUnions(text) {
  for (;;) {
    const sf = ts.createSourceFile('rolled-up.d.ts', text, ts.ScriptTarget.Latest, true)
    const unsorted = (n) => {
      if (!ts.isUnionTypeNode(n)) return false
      const members = n.types.map((t) => t.getText(sf))
      return members.some((member, i) => i > 0 && members[i - 1] > member)
    }
    let found
    const visit = (n) => {
      if (found) return
      ts.forEachChild(n, visit) // innermost first: a member's text is final before its union is sorted
      if (!found && unsorted(n)) found = n
    }
    visit(sf)
    if (!found) return text
    const members = found.types.map((t) => t.getText(sf)).sort()
    const start = found.types[0].getStart(sf)
    text = `${text.slice(0, start)}${members.join(' | ')}${text.slice(found.types.at(-1).end)}`
  }
}

/**
 * The browser client's script (src/client/browserModule.generated.ts), wherever a type holds its text as a literal
 * (GET /client.js answers it through `c.text`), declared `string`: a consumer needs its type, not the whole script.
 */
export function clientScriptAsString(text) {
  const generated = readFileSync(join(ROOT, 'src/client/browserModule.generated.ts'), 'utf8')
  const script = JSON.parse(/^export const CLIENT_SCRIPT = (".*")$/m.exec(generated)[1])
  const sf = ts.createSourceFile('rolled-up.d.ts', text, ts.ScriptTarget.Latest, true)
  const spans = []
  const visit = (n) => {
    if (ts.isLiteralTypeNode(n) && ts.isStringLiteral(n.literal) && n.literal.text === script) spans.push([n.getStart(sf), n.end])
    else ts.forEachChild(n, visit)
  }
  visit(sf)
  for (const [start, end] of spans.reverse()) text = `${text.slice(0, start)}string${text.slice(end)}`
  return text
}

/** The generated files' text, by output path, formatted as the project's prettier check wants. */
export async function buildTypes() {
  const emitted = emitDeclarations()
  try {
    const files = {}
    for (const entry of ENTRIES) {
      const options = await resolveConfig(join(ROOT, entry.output))
      files[entry.output] = await format(sortUnions(clientScriptAsString(rollUp(emitted, entry))), { ...options, parser: 'typescript' })
    }
    return files
  } finally {
    rmSync(emitted, { recursive: true, force: true })
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const [path, text] of Object.entries(await buildTypes())) {
    mkdirSync(dirname(join(ROOT, path)), { recursive: true })
    writeFileSync(join(ROOT, path), text)
    console.log(`✔ ${path}`)
  }
}
