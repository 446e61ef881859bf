/**
 * Who may open a status watcher on a session (issue 17 item 6): each client
 * (address) holds at most MAX_WATCHERS_PER_CLIENT_PER_SESSION of the
 * session's MAX_WATCHERS_PER_SESSION, so that one client cannot take every
 * slot; the backend key is not capped per client. When every slot is taken, a
 * caller with the session's secret or the backend key still gets one: the
 * oldest watcher of the client holding the most is closed for it, an
 * unprivileged one first (a closed stream's reader reconnects, or reads the
 * status). Only when each slot is a different privileged client's is it 429.
 */

/** Watchers of one session's status at once. */
export const MAX_WATCHERS_PER_SESSION = 10
/** Watchers of one session one client (address) may hold. */
export const MAX_WATCHERS_PER_CLIENT_PER_SESSION = 3

export interface WatcherCaller {
  /** The client's address key (http/rateLimit.ts clientKey), or `unknown`. */
  client: string
  /** Showed the session's secret or the backend key. */
  privileged: boolean
  /** Showed the backend key: not capped per client. */
  backend: boolean
}

export interface OpenWatcher extends WatcherCaller {
  id: string
  /** Opening order. */
  openedAt: number
}

export type Admission = { admit: true; evict?: string } | { admit: false; message: string }

export function admitWatcher(open: readonly OpenWatcher[], caller: WatcherCaller): Admission {
  if (!caller.backend && open.filter((w) => w.client === caller.client).length >= MAX_WATCHERS_PER_CLIENT_PER_SESSION)
    return { admit: false, message: 'too many status requests for this session are open from this address; close one and retry' }
  if (open.length < MAX_WATCHERS_PER_SESSION) return { admit: true }
  const refused = { admit: false as const, message: 'too many status requests are open for this session; close one and retry' }
  if (!caller.privileged) return refused
  const victim = oldestOfBusiest(open.filter((w) => !w.privileged)) ?? oldestOfBusiest(open, 2)
  return victim ? { admit: true, evict: victim.id } : refused
}

/** The oldest watcher of the client holding the most (at least `least`). */
function oldestOfBusiest(watchers: readonly OpenWatcher[], least = 1): OpenWatcher | undefined {
  const byClient = new Map<string, OpenWatcher[]>()
  for (const w of watchers) byClient.set(w.client, [...(byClient.get(w.client) ?? []), w])
  const busiest = [...byClient.values()].sort((a, b) => b.length - a.length)[0]
  if (!busiest || busiest.length < least) return undefined
  return busiest.reduce((a, b) => (a.openedAt <= b.openedAt ? a : b))
}
