/**
 * Moneyhub's published bank lists ({issuer}/.well-known/<type>-connections,
 * MONEYHUB-NOTES.md "Bank lists"), fetched, checked entry by entry and mapped
 * to what a bank picker needs. A malformed entry is dropped and counted, never
 * a reason to fail the whole list; a list that is not a JSON array is a failure.
 */
import * as v from 'valibot'
import type { Config } from '../config'
import { BANK_ID } from '../connection/moneyhub'
import { looseObject, picklist } from '../http/valibot'
import { UpstreamError } from '../oidc/errors'
import { upstreamFetch } from '../oidc/upstream'

/** The official client's list calls (src/requests/unauthenticated.ts): all, api, legacy, test, and payments (the banks that take payments) and beta. */
export const BANK_LIST_TYPES = ['all', 'api', 'legacy', 'test', 'payments', 'beta'] as const
export type BankListType = (typeof BANK_LIST_TYPES)[number]

const UpstreamBankSchema = looseObject({
  id: v.pipe(v.string(), v.regex(BANK_ID)),
  name: v.pipe(v.string(), v.minLength(1), v.maxLength(200)),
  type: picklist(['api', 'legacy', 'test']),
  bankRef: v.pipe(v.string(), v.minLength(1), v.maxLength(200)),
  iconUrl: v.optional(v.string()),
  accountTypes: v.optional(v.array(looseObject({ type: v.string(), beta: v.optional(v.boolean()) }))),
  userTypes: v.optional(v.array(v.string())),
})

export interface Bank {
  /** What goes in `id:<bankId>`, and in POST /sessions' bankId. */
  id: string
  name: string
  type: 'api' | 'legacy' | 'test'
  /** Groups the connections of one institution. */
  bankRef: string
  iconUrl: string
  accountTypes: { type: string; beta: boolean }[]
  userTypes: string[]
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
    const parsed = v.safeParse(UpstreamBankSchema, entry)
    if (!parsed.success) continue
    const b = parsed.output
    banks.push({
      id: b.id,
      name: b.name,
      type: b.type,
      bankRef: b.bankRef,
      // Moneyhub serves icons at {identity}/bank-icons/:bankRef when the entry names none.
      iconUrl: b.iconUrl && isHttps(b.iconUrl) ? b.iconUrl : `${config.identityUrl}/bank-icons/${encodeURIComponent(b.bankRef)}`,
      accountTypes: (b.accountTypes ?? []).map((a) => ({ type: a.type, beta: a.beta ?? false })),
      userTypes: b.userTypes ?? [],
    })
  }
  return { banks, dropped: json.length - banks.length }
}
