/**
 * Moneyhub's published bank lists ({issuer}/.well-known/<type>-connections:
 * moneyhub/moneyhub-api-client, src/requests/unauthenticated.ts), fetched,
 * read entry by entry and mapped to what a bank picker needs. Only an entry
 * without an id or a name is dropped (and counted); a list that is not a JSON
 * array is a failure.
 */
import * as v from 'valibot'
import type { Config } from '../config'
import { BANK_ID } from '../session/moneyhub'
import { UpstreamError } from '../oidc/errors'
import { upstreamFetch } from '../oidc/upstream'

/** The official client's list calls (src/requests/unauthenticated.ts): all, api, legacy, test, and payments (the banks that take payments) and beta. */
export const BANK_LIST_TYPES = ['all', 'api', 'legacy', 'test', 'payments', 'beta'] as const
export type BankListType = (typeof BANK_LIST_TYPES)[number]

/** A field that is dropped (undefined) when it is not what is declared, rather than failing the entry. */
const lenient = <S extends v.GenericSchema>(schema: S) => v.fallback(v.optional(schema), undefined)
const text = (max: number) => v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(max))
const word = v.pipe(v.string(), v.regex(/^[A-Za-z0-9:_-]{1,64}$/))
const words = v.pipe(
  v.array(v.unknown()),
  v.transform((items) => items.filter((item): item is string => v.is(word, item))),
)

/**
 * WellKnownConnection as the official client declares it (moneyhub/moneyhub-api-client, src/schema/connection.ts,
 * 5.2.1 and 6.x): account types are `{name, beta}` (their names differ: 5.2.1's `cash:current`, `mortgage:repayment`…,
 * 6.x's `cash`, `mortgage`, `properties`…; both read); `type` is api, legacy, test, zoopla, mouseprice or autotrader
 * (6.x); `status {sync, auth}` is Moneyhub's own view of the provider. Read leniently: only an id and a name are
 * needed; any other field that is not as declared is left out, never a reason to drop the bank. Account types are
 * read by `name`, and by `type` too (the project's earlier mock and any list that still says so).
 */
const UpstreamBankSchema = v.looseObject({
  id: v.pipe(v.string(), v.regex(BANK_ID)),
  name: text(200),
  type: lenient(word),
  bankRef: lenient(text(200)),
  parentRef: lenient(text(200)),
  iconUrl: lenient(v.string()),
  country: lenient(v.pipe(v.string(), v.regex(/^[A-Za-z]{2,3}$/))),
  isBeta: lenient(v.boolean()),
  accountTypes: lenient(v.array(v.unknown())),
  userTypes: lenient(words),
  payments: lenient(words),
  status: lenient(v.looseObject({ sync: lenient(word), auth: lenient(word) })),
})

const AccountTypeSchema = v.looseObject({ name: lenient(word), type: lenient(word), beta: lenient(v.boolean()) })

/** Moneyhub's view of a provider (WellKnownConnection.status): AVAILABLE, PARTIALLY_AVAILABLE, TEMPORARILY_UNAVAILABLE, PERMANENTLY_UNAVAILABLE. */
export interface MoneyhubStatus {
  sync?: string
  auth?: string
}

export interface Bank {
  /** What goes in `id:<bankId>`, and in POST /sessions' bankId. */
  id: string
  name: string
  /** api, legacy, test, zoopla, mouseprice, autotrader (or another Moneyhub adds); absent when the entry has none. */
  type?: string
  /** Groups the connections of one institution. */
  bankRef?: string
  iconUrl?: string
  /** Each account type's `name` (or `type`), and whether it is in beta. */
  accountTypes: { type: string; beta: boolean }[]
  userTypes: string[]
  country?: string
  isBeta: boolean
  /** Payment kinds the bank takes (`domestic`). */
  payments: string[]
  /** Moneyhub's own view of the provider, shown beside the project's health mark (docs/bank-health.md). */
  status?: MoneyhubStatus
}

export const bankListUrl = (config: Pick<Config, 'issuer'>, type: BankListType) =>
  `${config.issuer.replace(/\/$/, '')}/.well-known/${type}-connections`

const isHttps = (value: string) => {
  try {
    return new URL(value).protocol === 'https:'
  } catch {
    return false
  }
}

/** One entry of a published list, mapped; or why it cannot be (the issues, as `path: message`). */
export function bankFromEntry(
  config: Pick<Config, 'identityUrl'>,
  entry: unknown,
): { ok: true; bank: Bank } | { ok: false; issues: string[] } {
  const parsed = v.safeParse(UpstreamBankSchema, entry)
  if (!parsed.success) return { ok: false, issues: parsed.issues.map((i) => `${v.getDotPath(i) ?? ''}: ${i.message}`) }
  const b = parsed.output
  const accountTypes: Bank['accountTypes'] = []
  for (const item of b.accountTypes ?? []) {
    const a = v.safeParse(AccountTypeSchema, item)
    const type = a.success ? (a.output.name ?? a.output.type) : undefined
    if (a.success && type) accountTypes.push({ type, beta: a.output.beta ?? false })
  }
  const status =
    b.status && (b.status.sync || b.status.auth)
      ? { ...(b.status.sync ? { sync: b.status.sync } : {}), ...(b.status.auth ? { auth: b.status.auth } : {}) }
      : undefined
  // Assumption (project): Moneyhub serves icons at {identity}/bank-icons/:bankRef when the entry names none.
  const iconUrl =
    b.iconUrl && isHttps(b.iconUrl)
      ? b.iconUrl
      : b.bankRef
        ? `${config.identityUrl}/bank-icons/${encodeURIComponent(b.bankRef)}`
        : undefined
  return {
    ok: true,
    bank: {
      id: b.id,
      name: b.name,
      ...(b.type ? { type: b.type } : {}),
      ...(b.bankRef ? { bankRef: b.bankRef } : {}),
      ...(iconUrl ? { iconUrl } : {}),
      accountTypes,
      userTypes: b.userTypes ?? [],
      ...(b.country ? { country: b.country } : {}),
      isBeta: b.isBeta ?? false,
      payments: b.payments ?? [],
      ...(status ? { status } : {}),
    },
  }
}

/** The list as published, its valid entries mapped; `dropped` counts the entries that were not. */
export async function fetchBankList(config: Config, type: BankListType): Promise<{ banks: Bank[]; dropped: number }> {
  const what = `the ${type} bank list`
  const response = await upstreamFetch(
    bankListUrl(config, type),
    { headers: { accept: 'application/json' } },
    config.upstreamTimeoutMs,
    what,
  )
  if (!response.ok) {
    await response.body?.cancel()
    throw new UpstreamError('bank_list_unavailable', `${what} answered ${response.status}`)
  }
  let json: unknown
  try {
    json = await response.json()
  } catch {
    throw new UpstreamError('bank_list_invalid', `${what} is not JSON`)
  }
  if (!Array.isArray(json)) throw new UpstreamError('bank_list_invalid', `${what} is not a JSON array`)
  const banks: Bank[] = []
  for (const entry of json) {
    const parsed = bankFromEntry(config, entry)
    if (parsed.ok) banks.push(parsed.bank)
  }
  return { banks, dropped: json.length - banks.length }
}
