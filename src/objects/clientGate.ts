/**
 * ClientGate: one Durable Object per client address, counting the status
 * watchers (long-polls and event streams) it holds open across all sessions.
 * Each watcher holds a lease, released when its stream ends; a lease that is
 * never released (a Worker that died) lapses after its stream's longest life.
 *
 * The authority of how many watchers one address holds. Its storage
 * (docs/storage.md): `lease:<uuid>` → when the lease lapses (ms since the
 * epoch), deleted on release, or by the next acquire once lapsed.
 */
import { DurableObject } from 'cloudflare:workers'

export class ClientGate extends DurableObject<Env> {
  /** A lease if fewer than `max` are open, else undefined. */
  async acquire(max: number, ttlMs: number): Promise<string | undefined> {
    const now = Date.now()
    let open = 0
    for (const [key, until] of await this.ctx.storage.list<number>({ prefix: 'lease:' })) {
      if (until > now) open++
      else await this.ctx.storage.delete(key)
    }
    if (open >= max) return undefined
    const lease = crypto.randomUUID()
    await this.ctx.storage.put(`lease:${lease}`, now + ttlMs)
    return lease
  }

  async release(lease: string): Promise<void> {
    await this.ctx.storage.delete(`lease:${lease}`)
  }
}

/** The gate of one client address. */
export const gateOf = (env: Env, address: string) => env.CLIENT_GATE.get(env.CLIENT_GATE.idFromName(address))
