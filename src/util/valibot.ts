/**
 * valibot, as the app's schemas use it: the same schemas as zod/mini gave at a third of the bundle
 * (docs/performance.md, "Bundle"), with the messages clients have always read. Zod's English messages
 * (zod/v4/locales/en.js) for the issues these schemas raise are written out here, so a 400's text is
 * unchanged; a schema's own message (`v.regex(…, 'must be …')`) wins over them.
 */
import * as v from 'valibot'

type Issue = v.BaseIssue<unknown>
type Schema = v.GenericSchema

const quoted = (values: readonly unknown[], separator: string) =>
  values.map((value) => (typeof value === 'string' ? JSON.stringify(value) : String(value))).join(separator)
const typeOf = (value: unknown) =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'array'
      : typeof value === 'number' && !Number.isFinite(value)
        ? String(value)
        : typeof value
/** valibot's `expects` of a schema, as zod names the type. */
const expectedType: Record<string, string> = { Object: 'object', Array: 'array' }
const origin = (input: unknown) => (Array.isArray(input) ? 'array' : typeof input === 'string' ? 'string' : 'number')
const units: Record<string, string> = { string: 'characters', array: 'items' }
const size = (issue: Issue, word: 'big' | 'small', relation: string) => {
  const from = origin(issue.input)
  const unit = units[from]
  return `Too ${word}: expected ${from} to ${unit ? 'have' : 'be'} ${relation}${String(issue.requirement)}${unit ? ` ${unit}` : ''}`
}

/** Zod's message for the issue valibot raised (zod/v4/locales/en.js). */
function zodMessage(issue: Issue): string {
  switch (issue.type) {
    case 'union':
    case 'check':
    case 'partial_check':
      return 'Invalid input'
    case 'integer':
    case 'safe_integer':
      return Number.isInteger(issue.input)
        ? size(issue, (issue.input as number) > 0 ? 'big' : 'small', (issue.input as number) > 0 ? '<=' : '>=')
        : `Invalid input: expected int, received ${typeOf(issue.input)}`
    case 'min_length':
      return size(issue, 'small', '>=')
    case 'max_length':
      return size(issue, 'big', '<=')
    case 'min_value':
      return size(issue, 'small', '>=')
    case 'max_value':
      return size(issue, 'big', '<=')
    case 'gt_value':
      return size(issue, 'small', '>')
    case 'lt_value':
      return size(issue, 'big', '<')
    case 'regex':
      return `Invalid string: must match pattern ${String(issue.requirement)}`
    case 'email':
      return 'Invalid email address'
    case 'url':
      return 'Invalid URL'
    case 'iso_timestamp':
      return 'Invalid ISO datetime'
  }
  if (issue.kind === 'schema' && issue.expected)
    return `Invalid input: expected ${expectedType[issue.expected] ?? issue.expected}, received ${typeOf(issue.input)}`
  return 'Invalid input'
}
v.setGlobalMessage(zodMessage)

/** A missing member gets the message its own schema gives `undefined`, as zod runs the member's schema on it. */
const memberMessage = (entries: v.ObjectEntries) => (issue: Issue) => {
  const item = issue.path?.at(-1) as { origin?: string; key?: string; input?: object } | undefined
  if (item?.origin !== 'key') return zodMessage(issue)
  if (issue.expected === 'never') {
    const keys = Object.keys(item.input ?? {}).filter((key) => !Object.hasOwn(entries, key))
    return `Unrecognized key${keys.length > 1 ? 's' : ''}: ${quoted(keys, ', ')}`
  }
  const member = entries[item.key as string]
  return (member && v.safeParse(member, undefined).issues?.[0]?.message) ?? 'Invalid input'
}

/** valibot reads an array as an object; zod (and JSON's idea of an object) does not: an array gets the type issue. */
function noArray<S extends v.GenericSchema>(schema: S): S {
  const run = schema['~run']
  const wrapped: S = {
    ...schema,
    '~run'(dataset, config) {
      if (!Array.isArray(dataset.value)) return run.call(this, dataset, config)
      const input = dataset.value
      const out = run.call(this, { value: null }, config)
      for (const issue of out.issues ?? []) Object.assign(issue, { input, received: 'Array', message: zodMessage({ ...issue, input }) })
      return out
    },
  }
  return { ...wrapped, '~standard': { ...schema['~standard'], validate: (value) => wrapped['~run']({ value }, v.getGlobalConfig()) } }
}

/** An object that refuses members it does not name (zod's strictObject: one issue naming every such member). */
export const strictObject = <const E extends v.ObjectEntries>(entries: E) => noArray(v.strictObject(entries, memberMessage(entries)))
/** An object whose other members are dropped. */
export const object = <const E extends v.ObjectEntries>(entries: E) => noArray(v.object(entries, memberMessage(entries)))
/** An object whose other members pass through (upstream answers: Moneyhub may add members). */
export const looseObject = <const E extends v.ObjectEntries>(entries: E) => noArray(v.looseObject(entries, memberMessage(entries)))

/** One of these values (zod's enum and its message). */
export const picklist = <const T extends readonly [string, ...string[]]>(options: T) =>
  v.picklist(
    options as unknown as T extends readonly (infer U extends string)[] ? U[] : never,
    options.length === 1 ? `Invalid input: expected ${quoted(options, '')}` : `Invalid option: expected one of ${quoted(options, '|')}`,
  )
export const literal = <const T extends string>(value: T) => v.literal(value, `Invalid input: expected ${JSON.stringify(value)}`)

/** An integer within JavaScript's safe range (zod's `z.int()`); `message` for any input that is not one. */
export const int = (message?: string) => v.pipe(v.number(message), v.safeInteger(message))

/**
 * A check over a whole value (zod's refine); when it fails, the issue is reported at `path`. In `refined()`, it runs
 * only when the value's shape is right, as zod's refinements do.
 */
export const refine = <T>(requirement: (value: T) => boolean, message: string, path?: readonly string[]): v.GenericValidation => {
  const check = v.check(requirement as (value: unknown) => boolean, message)
  return path ? (v.forward(check as never, path as never) as v.GenericValidation) : check
}
/** A schema with checks over its whole value; its type stays the schema's (checks change no type). */
export const refined = <S extends Schema>(schema: S, ...rules: v.GenericValidation[]): S =>
  v.pipe(schema, ...(rules as [v.GenericValidation])) as unknown as S

/** Sets the description the OpenAPI document shows; written `OPENAPI_BUILD && '…'`, so the Worker keeps no text. */
export const described = <T extends Schema>(schema: T, description: string | false): T =>
  description ? (v.pipe(schema, v.description(description)) as unknown as T) : schema

/**
 * Names a schema in the OpenAPI document's components (hono-openapi's valibot converter reads `metadata.ref`). Request
 * schemas write `OPENAPI_BUILD && 'Name'`: the Worker gets the schema as it is, without the text.
 */
export const named = <T extends Schema>(schema: T, ref: string | false, description?: string | false): T =>
  !ref
    ? schema
    : ((description
        ? v.pipe(schema, v.description(description), v.metadata({ ref }))
        : v.pipe(schema, v.metadata({ ref }))) as unknown as T)

/** Zod's ISO date-time with an offset (`z.iso.datetime({ offset: true })`): seconds required, real days, `Z` or `±hh:mm`. */
const ISO_DATETIME =
  /^(?:(?:\d\d[2468][048]|\d\d[13579][26]|\d\d0[48]|[02468][048]00|[13579][26]00)-02-29|\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|(?:02)-(?:0[1-9]|1\d|2[0-8])))T(?:(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z|([+-](?:[01]\d|2[0-3]):[0-5]\d)))$/
/** valibot's isoTimestamp (format date-time in the OpenAPI document) with zod's rule, which the API has always had. */
export const isoDateTime = () => ({ ...v.isoTimestamp<string, string>('Invalid ISO datetime'), requirement: ISO_DATETIME })

/** Zod's email rule (`z.email()`), which the API has always had, as valibot's email action (format email in the document). */
const EMAIL = /^(?:[A-Za-z0-9_'+\-]+\.)*[A-Za-z0-9_'+\-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}$/
export const email = (message?: string) => ({ ...v.email<string, string | undefined>(message), requirement: EMAIL })

/** A URL (zod's `z.url()`): what `new URL()` reads. */
export const url = () => v.pipe(v.string(), v.url())
