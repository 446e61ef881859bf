/**
 * Which bank ids a session may start with: those of Moneyhub's published lists (the `all` list, then `test`, read
 * through the edge cache GET /banks uses: storage/bankLists.ts), and the group selectors. Anything else is refused
 * before a session exists, so that nobody can make bank health objects (or sessions) for banks that do not exist.
 * When no list can be read at all (Moneyhub's lists down and no copy kept), a start is not refused for it:
 * Assumption (project): starting a connection matters more than this check, which only the backend can then abuse.
 */
import type { Config } from '../config'
import { FlowError } from '../connection/errors'
import { bankList } from '../storage/bankLists'
import type { BankListType } from './bankList'

/** `id:<group>` selectors: the banks of a list, picked at Moneyhub (counted under the group's name: health/count.ts). */
export const GROUP_SELECTORS: ReadonlySet<string> = new Set(['all', 'api', 'legacy', 'test'])

/** The ids of a list body, per ETag (one parse per list copy, not per start). */
const idsOf = new Map<string, Set<string>>()

async function listedIds(config: Config, type: BankListType): Promise<Set<string> | undefined> {
  let list
  try {
    list = await bankList(config, type)
  } catch (error) {
    if (error instanceof FlowError && error.kind === 'upstream') return undefined
    throw error
  }
  let ids = idsOf.get(list.etag)
  if (!ids) {
    ids = new Set((JSON.parse(list.body) as { id: string }[]).map((bank) => bank.id))
    if (idsOf.size >= 16) idsOf.clear()
    idsOf.set(list.etag, ids)
  }
  return ids
}

/** Throws 400 `bank_not_listed` for a bank id that no published list has. */
export async function requireListedBank(config: Config, bankId: string | undefined): Promise<void> {
  if (bankId === undefined || GROUP_SELECTORS.has(bankId)) return
  let readable = false
  for (const type of ['all', 'test'] as const) {
    const ids = await listedIds(config, type)
    if (ids?.has(bankId)) return
    readable ||= ids !== undefined
  }
  if (!readable) return
  throw new FlowError('invalid', 'bank_not_listed', "bankId is not a bank of Moneyhub's published lists (GET /banks)")
}
