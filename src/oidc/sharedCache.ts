/**
 * Issuer metadata and keys, shared between isolates through the Cache API
 * (per data centre) for 5 minutes, so that a fresh isolate does not fetch
 * them again. Only answers that passed validation are stored, under keys of
 * our own (never a URL the Worker serves).
 */
export const SHARED_TTL_S = 300

const cacheKey = (kind: string, url: string) => new Request(`https://moneyhub-edge-connect.internal/${kind}?url=${encodeURIComponent(url)}`)

/** caches.default, when this runtime has one (it is a no-op on workers.dev). */
const sharedCache = (): Cache | undefined => (globalThis as { caches?: { default?: Cache } }).caches?.default

export async function readShared<T>(kind: string, url: string): Promise<T | undefined> {
  try {
    const hit = await sharedCache()?.match(cacheKey(kind, url))
    return hit ? ((await hit.json()) as T) : undefined
  } catch {
    return undefined // a cache is an optimisation: never a reason to fail
  }
}

export async function writeShared(kind: string, url: string, value: unknown): Promise<void> {
  try {
    await sharedCache()?.put(
      cacheKey(kind, url),
      new Response(JSON.stringify(value), { headers: { 'content-type': 'application/json', 'cache-control': `max-age=${SHARED_TTL_S}` } }),
    )
  } catch {
    // as above
  }
}
