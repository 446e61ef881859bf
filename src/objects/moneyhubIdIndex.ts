/**
 * MoneyhubIdIndex: one Durable Object per Moneyhub record id (a payment, a
 * standing order, a VRP consent, a refund, a pay under a consent), the one
 * authority for which session holds it. A record settles at most one session
 * (docs/reconciliation.md, "The proof rule"): an id learnt from a validated
 * id_token, from a pay's answer, from reconciliation or from an operator is
 * held here first, and an id another holder has is never assigned.
 *
 * Its storage (docs/storage.md): one value, `holder` → `{ kind, holder, at }`, kept for good (a few bytes per
 * record; a Moneyhub id is never reused). Ids share one namespace whatever
 * their kind, and the kind is part of the hold, so a refund's record can never
 * settle a payment and the other way round.
 */
import { DurableObject } from 'cloudflare:workers'

/** What a held id is a record of. `recurring_pay`: a payment made under a VRP consent (POST /recurring-payments/:id/pay). */
export type HeldKind = 'payment' | 'standing_order' | 'recurring_payment' | 'reverse_payment' | 'recurring_pay'

export interface Hold {
  kind: HeldKind
  /** Who holds it: a session id, or `<sessionId>/<pay key>` for a pay under a VRP consent. */
  holder: string
  /** When it was first held (ms since the epoch). */
  at: number
}

export type HoldOutcome = { ok: true } | { ok: false; held: Hold }

export class MoneyhubIdIndex extends DurableObject<Env> {
  /** Holds the id for `holder` unless another holder (or another kind) has it. Idempotent for the same holder and kind. */
  async hold(kind: HeldKind, holder: string): Promise<HoldOutcome> {
    const held = await this.ctx.storage.get<Hold>('holder')
    if (held) return held.holder === holder && held.kind === kind ? { ok: true } : { ok: false, held }
    await this.ctx.storage.put('holder', { kind, holder, at: Date.now() } satisfies Hold)
    return { ok: true }
  }

  /** Who holds the id, if anyone. */
  async holderOf(): Promise<Hold | undefined> {
    return this.ctx.storage.get<Hold>('holder')
  }
}

const indexOf = (env: Env, moneyhubId: string) => env.MONEYHUB_ID_INDEX.get(env.MONEYHUB_ID_INDEX.idFromName(moneyhubId))

/** Holds `moneyhubId` for `holder`: `{ ok: false, held }` when another holder (or kind) has it. */
export const holdMoneyhubId = (env: Env, kind: HeldKind, moneyhubId: string, holder: string): Promise<HoldOutcome> =>
  indexOf(env, moneyhubId).hold(kind, holder)

/** Who holds `moneyhubId`, if anyone. */
export const holderOfMoneyhubId = (env: Env, moneyhubId: string): Promise<Hold | undefined> => indexOf(env, moneyhubId).holderOf()
