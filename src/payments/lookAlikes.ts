/**
 * The proof that a record is this session's (docs/reconciliation.md, "The
 * proof rule"), where a list alone cannot give it: look-alike sessions and
 * holds.
 *
 * A record carries no trace of the session that made it. Two sessions that
 * sent a code for the same terms (amount and references, the same standing
 * order terms, a refund of the same payment) in overlapping windows are
 * look-alikes: one record equal to both could be either's, so neither takes it
 * by likeness. Each session says so before its code is sent (the claim), in
 * slots of the MoneyhubIdIndex (objects/moneyhubIdIndex.ts), keyed
 * `likeness:<sha256 of the terms>:<time bucket>:<n>`, holder
 * `<session id> <user id, when the session knows it>`; a look-alike that is
 * known to be another user's is not one (the list is filtered by user).
 *
 * Then a record is taken only when its id can be held for this session
 * (holdMoneyhubId): an id another session holds (from a validated id_token,
 * or an earlier proof) is never taken.
 */
import type { Config } from '../config'
import { sha256 } from '../util/encoding'
import { holderOfMoneyhubId, holdMoneyhubId, type HeldKind } from '../objects/moneyhubIdIndex'
import { paymentKindOf, type OutcomeIds } from '../kinds/registry'
import { CLOCK_SKEW_S, listOf, readMatches, type ListCursor, type MatchResult, type MatchTarget } from './reconciliation'

/** Slots per likeness and time bucket. More look-alikes than this: every one of them sees a full bucket, so none settles by likeness. */
const SLOTS = 16

/** The terms that make two sessions look alike: what a record is compared on, less the payee, payer and user (a wider net is safer). */
async function likenessOf(target: MatchTarget): Promise<string | undefined> {
  // A kind without likeness terms (a VRP consent) is never settled by likeness.
  const terms = paymentKindOf(target.kind).likeness?.(target.value)
  return terms && (await sha256(JSON.stringify([target.kind, ...terms]))).slice(0, 32)
}

/** A bucket spans one window and both skews: two sessions whose records could fall in each other's window are in the same or adjacent buckets. */
const bucketSize = (windowS: number) => windowS + 2 * CLOCK_SKEW_S
const slotKey = (likeness: string, bucket: number, n: number) => `likeness:${likeness}:${bucket}:${n}`
const holderName = (sessionId: string, userId?: string) => `${sessionId} ${userId ?? ''}`

/**
 * Before the code is sent: this session may make a record that looks like
 * another's. Idempotent (the same slot is held again for the same holder).
 */
export async function registerLookAlike(
  env: Env,
  session: { id: string; userId?: string | undefined },
  target: MatchTarget,
  claimedAtS: number,
  windowS: number,
): Promise<void> {
  const likeness = await likenessOf(target)
  if (!likeness) return
  const bucket = Math.floor(claimedAtS / bucketSize(windowS))
  for (let n = 0; n < SLOTS; n++) {
    const held = await holdMoneyhubId(env, target.kind as HeldKind, slotKey(likeness, bucket, n), holderName(session.id, session.userId))
    if (held.ok) return
  }
}

/** How many other sessions look like this one and could own the same record (a full bucket counts as many). */
async function lookAlikes(
  env: Env,
  session: { id: string; userId?: string | undefined },
  target: MatchTarget,
  fromS: number,
  windowS: number,
) {
  const likeness = await likenessOf(target)
  if (!likeness) return 0
  const bucket = Math.floor(fromS / bucketSize(windowS))
  let others = 0
  for (const b of [bucket - 1, bucket, bucket + 1]) {
    for (let n = 0; n < SLOTS; n++) {
      const held = await holderOfMoneyhubId(env, slotKey(likeness, b, n))
      if (!held) break
      const [id, user = ''] = held.holder.split(' ')
      if (id === session.id) continue
      // Known to be another user's: its records are not in this session's (user-filtered) list.
      if (session.userId && user && user !== session.userId) continue
      others++
      if (n === SLOTS - 1) others += SLOTS
    }
  }
  return others
}

export interface ProofLook {
  target: MatchTarget
  from: number
  until: number
  cursor?: ListCursor | undefined
}

/**
 * One look for the session's record, on proof: `found` only for the one exact
 * match of a whole read, unheld by any other session, with no look-alike
 * session, and held here first. A VRP consent is `unverified` (never linked by
 * likeness). `incomplete` carries where the read goes on.
 */
export async function proveMade(
  env: Env,
  config: Config,
  session: { id: string; userId?: string | undefined },
  look: ProofLook,
): Promise<MatchResult> {
  const { target } = look
  if (!paymentKindOf(target.kind).likeness) return { unverified: true }
  const read = await readMatches(config, target, look.from, look.until, {
    ...(session.userId ? { userId: session.userId } : {}),
    ...(look.cursor ? { cursor: look.cursor } : {}),
  })
  if (!read.whole) return { incomplete: true, ...(read.cursor ? { cursor: read.cursor } : {}) }
  const count = read.exact.length + read.near.length
  if (count === 0) return { none: true }
  if (count > 1) return { ambiguous: count }
  const [id] = read.exact
  if (!id) return { ambiguous: 1 } // a near miss only: it cannot be made exact
  const kind = target.kind as HeldKind
  const holder = await holderOfMoneyhubId(env, id)
  if (holder && holder.holder !== session.id) return { ambiguous: 1 }
  if ((await lookAlikes(env, session, target, look.from, look.until - look.from)) > 0) return { ambiguous: 2 }
  const held = await holdMoneyhubId(env, kind, id, session.id)
  if (!held.ok) return { ambiguous: 1 }
  return { found: { [listOf(target.kind).id]: id } }
}

/**
 * Ids a validated id_token gave this session, held for it before they are
 * assigned (so that no look-alike's reconciliation can take them). False when
 * one is already another session's: it is then not assigned.
 */
export async function holdOwnIds(env: Env, kind: HeldKind, sessionId: string, ids: OutcomeIds): Promise<boolean> {
  const held = await Promise.all(
    Object.values(ids)
      .filter((id): id is string => typeof id === 'string')
      .map((id) => holdMoneyhubId(env, kind, id, sessionId)),
  )
  return held.every((outcome) => outcome.ok)
}
