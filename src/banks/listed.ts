/**
 * Which bank ids a session may start with: those of Moneyhub's published lists (the `all` list, then `test`, read
 * through the edge cache GET /banks uses: storage/bankLists.ts), and the group selectors. Anything else is refused
 * before a session exists, so that nobody can make bank health objects (or sessions) for banks that do not exist.
 * When no list can be read at all (Moneyhub's lists down and no copy kept), a start is not refused for it:
 * Assumption (project): starting a connection matters more than this check; an unknown id then fails at Moneyhub,
 * and only a backend start is counted in bank health (health/count.ts).
 */
import type { Config } from '../config'
import { ApiError } from '../errors'
import { bankList } from '../storage/bankLists'
import type { BankListType } from './bankList'

/** `id:<group>` selectors: the banks of a list, picked at Moneyhub (counted under the group's name: health/count.ts). */
export const GROUP_SELECTORS: ReadonlySet<string> = new Set(['all', 'api', 'legacy', 'test'])

/** The ids of each list as this isolate last read it, and when (ms). */
const known = new Map<string, { ids: Set<string>; readAt: number }>()

/** For tests: forget the ids this isolate holds. */
export const forgetListedBanks = () => known.clear()

/**
 * Whether `bankId` is in the list of `type`: undefined when no copy of the list can be read. An id this isolate has
 * seen listed is accepted without a read (a start never waits for the list's refresh); an id it has not is looked
 * up again once the copy is older than BANK_LIST_MAX_AGE_SECONDS, so that a bank Moneyhub adds is accepted as soon
 * as GET /banks lists it.
 */
async function isListed(config: Config, type: BankListType, bankId: string): Promise<boolean | undefined> {
  const url = `${config.issuer}|${type}`
  const held = known.get(url)
  if (held?.ids.has(bankId)) return true
  if (held && Date.now() - held.readAt < config.bankListMaxAgeSeconds * 1000) return false
  let list
  try {
    list = await bankList(config, type)
  } catch (error) {
    if (error instanceof ApiError && error.status === 502) return held ? false : undefined
    throw error
  }
  const ids = new Set((JSON.parse(list.body) as { id: string }[]).map((bank) => bank.id))
  known.set(url, { ids, readAt: Date.now() })
  return ids.has(bankId)
}

/** Throws 400 `bank_not_listed` for a bank id that no published list has. */
export async function requireListedBank(config: Config, bankId: string | undefined): Promise<void> {
  if (bankId === undefined || GROUP_SELECTORS.has(bankId)) return
  let readable = false
  for (const type of ['all', 'test'] as const) {
    const listed = await isListed(config, type, bankId)
    if (listed) return
    readable ||= listed !== undefined
  }
  if (!readable) return
  throw new ApiError('bank_not_listed', "bankId is not a bank of Moneyhub's published lists (GET /banks)")
}
