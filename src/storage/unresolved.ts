/**
 * The index of unresolved sessions (payments/nextLook.ts `isUnresolved`): one
 * KV key per session, `unresolved:<id>`, its entry in the key's metadata so a
 * list reads no values. Written by the session's Durable Object when its
 * outcome becomes unknown and again at each look (so a failed write heals),
 * deleted when it is settled; kept as long as the session's record. A VRP
 * consent is listed the same way while any pay under it is unresolved (`pays`).
 * GET /unresolved-sessions lists it (docs/reconciliation.md, "When a person must look").
 */
import type { Session, SessionStatus } from './sessionRecord'

const PREFIX = 'unresolved:'
/** KV refuses an expirationTtl below 60 s. */
const KV_MIN_TTL_S = 60

/** What the operator's list shows of one session (no payer, no token: the session's public status has the rest). */
export interface UnresolvedEntry {
  id: string
  kind: NonNullable<Session['kind']>
  status: SessionStatus
  reason?: string
  /** When the outcome became unknown (the claim of the callback), seconds since the epoch. */
  since: number
  /** When the Worker looks at Moneyhub's records again. */
  nextLookAt: number
  /** How many looks were made. */
  looks: number
  /**
   * A VRP consent whose own outcome is known but some of whose pays' is not: those pays (oldest first, at most
   * MAX_LISTED_PAYS, the metadata being small), by the reference GET /recurring-payments/:id lists them with;
   * `unresolvedPays` counts them all.
   */
  pays?: UnresolvedPay[]
  unresolvedPays?: number
}

/** A pay whose outcome is unknown: its reference, why (its confirming reason; `sending` when its object stopped mid-send), since when. */
export interface UnresolvedPay {
  pay: string
  reason?: string
  since: number
}

/** KV's metadata holds at most 1024 bytes: a consent's entry names this many pays (about 90 bytes each). */
export const MAX_LISTED_PAYS = 6

export async function indexUnresolved(kv: KVNamespace, entry: UnresolvedEntry, keepUntil: number): Promise<void> {
  const ttl = Math.max(KV_MIN_TTL_S, keepUntil - Math.floor(Date.now() / 1000))
  await kv.put(`${PREFIX}${entry.id}`, '', { expirationTtl: ttl, metadata: entry })
}

export const forgetUnresolved = (kv: KVNamespace, id: string): Promise<void> => kv.delete(`${PREFIX}${id}`)

/** One page of the index, oldest key order (KV's): `cursor` for the next page when there is one. */
export async function listUnresolved(
  kv: KVNamespace,
  page: { limit: number; cursor?: string },
): Promise<{ sessions: UnresolvedEntry[]; cursor?: string }> {
  const listed = await kv.list<UnresolvedEntry>({ prefix: PREFIX, limit: page.limit, ...(page.cursor ? { cursor: page.cursor } : {}) })
  const sessions = listed.keys.flatMap((key) => (key.metadata ? [key.metadata] : []))
  return { sessions, ...(!listed.list_complete && listed.cursor ? { cursor: listed.cursor } : {}) }
}
