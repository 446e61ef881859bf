/**
 * The bank lists GET /banks serves, kept at the edge: in this isolate's memory
 * and in the Cache API (per data centre), as the mapped JSON body with its
 * ETag and the time it was fetched. A copy younger than
 * BANK_LIST_MAX_AGE_SECONDS is served as it is; an older one is fetched again,
 * and when that fails the last good copy is served, marked stale. The Cache
 * API entry (`https://moneyhub-edge-connect.internal/banks?url=<list URL>`)
 * is kept for LAST_GOOD_S, so there is a copy to fall back on.
 */
import type { Config } from '../config'
import { upstreamError } from '../errors'
import { sha256 } from '../util/encoding'
import { bankListUrl, fetchBankList, type BankListType } from '../banks/bankList'
import { OidcError } from '../oidc/errors'
import { nowSeconds } from './sessionRecord'

/** How long the last good copy is kept to fall back on. */
export const LAST_GOOD_S = 7 * 86_400

export interface CachedBankList {
  /** The mapped list, as JSON. */
  body: string
  /** A strong validator of `body` (RFC 9110 §8.8.3). */
  etag: string
  fetchedAt: number
  /** Entries of the published list that failed the schema. */
  dropped: number
}

export interface ServedBankList extends CachedBankList {
  /** The upstream failed and this is the last good copy. */
  stale: boolean
  /** Seconds this copy may still be served as fresh. */
  freshFor: number
}

const memory = new Map<string, CachedBankList>()
const inFlight = new Map<string, Promise<CachedBankList>>()

/** For tests: forget what this isolate holds, as a new isolate would. */
export const forgetBankLists = () => memory.clear()

const cacheKey = (url: string) => new Request(`https://moneyhub-edge-connect.internal/banks?url=${encodeURIComponent(url)}`)
const edgeCache = (): Cache | undefined => (globalThis as { caches?: { default?: Cache } }).caches?.default

async function readEdge(url: string): Promise<CachedBankList | undefined> {
  try {
    const hit = await edgeCache()?.match(cacheKey(url))
    return hit ? ((await hit.json()) as CachedBankList) : undefined
  } catch {
    return undefined // a cache is an optimisation: never a reason to fail
  }
}

async function writeEdge(url: string, list: CachedBankList) {
  try {
    await edgeCache()?.put(
      cacheKey(url),
      new Response(JSON.stringify(list), { headers: { 'content-type': 'application/json', 'cache-control': `max-age=${LAST_GOOD_S}` } }),
    )
  } catch {
    // as above
  }
}

async function refresh(config: Config, type: BankListType, url: string): Promise<CachedBankList> {
  const { banks, dropped } = await fetchBankList(config, type)
  const body = JSON.stringify(banks)
  const list: CachedBankList = { body, etag: `"${(await sha256(body)).slice(0, 27)}"`, fetchedAt: nowSeconds(), dropped }
  memory.set(url, list)
  await writeEdge(url, list)
  return list
}

export async function bankList(config: Config, type: BankListType): Promise<ServedBankList> {
  const url = bankListUrl(config, type)
  let cached = memory.get(url)
  if (!cached) {
    cached = await readEdge(url)
    if (cached) memory.set(url, cached)
  }
  const now = nowSeconds()
  if (cached && now - cached.fetchedAt < config.bankListMaxAgeSeconds) {
    return { ...cached, stale: false, freshFor: config.bankListMaxAgeSeconds - (now - cached.fetchedAt) }
  }
  // One fetch per isolate however many ask at the same moment.
  let pending = inFlight.get(url)
  if (!pending) {
    pending = refresh(config, type, url).finally(() => inFlight.delete(url))
    inFlight.set(url, pending)
  }
  try {
    return { ...(await pending), stale: false, freshFor: config.bankListMaxAgeSeconds }
  } catch (error) {
    if (!(error instanceof OidcError)) throw error
    if (cached) return { ...cached, stale: true, freshFor: 0 }
    throw upstreamError(error, `${error.message}, and no earlier copy is cached`)
  }
}
