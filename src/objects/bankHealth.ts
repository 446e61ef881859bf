/**
 * BankHealth: one Durable Object per bank key (`bank:<key>`, count.ts says
 * which key a session has), holding that bank's counts in 5-minute slots for
 * 24 h (window.ts) and the links opened but not yet returned from (to time the
 * return, and to count a link that lapses). Bounded: at most 289 slots, and one
 * entry per link opened within the session TTL. Each change is also written
 * as a Workers Analytics Engine data point (BANK_HEALTH_EVENTS, when bound)
 * for long-term queries (docs/bank-health.md).
 *
 * One more instance, `index`, keeps every bank's last hour in brief (attempts
 * and successes per slot) and which banks were active in the last 24 h: what
 * GET /banks needs for the marks in one call, and GET /banks/health to know
 * which banks to ask.
 *
 * The authority of a bank's counts. Its storage (docs/storage.md):
 *  - `slot:<start, s>` → the counts of one 5-minute slot (window.ts), until it is 24 h old;
 *  - `open:<session id>` → `{ at, expiresAt }` of a link opened and not yet
 *    returned from, until its outcome is counted or it lapses (its deadline + 60 s, the alarm);
 *  - `meta` → `{ bank, lastSuccessAt }`, for as long as the bank is counted;
 *  - `index` instance only: `brief:<bank>` → `{ slots, at }`, that bank's last
 *    hour in brief, until the bank has been silent for 24 h.
 */
import { DurableObject } from 'cloudflare:workers'
import {
  DAY_S,
  HOUR_S,
  SLOT_S,
  addCounts,
  attemptsOf,
  binOf,
  bump,
  emptyCounts,
  revived,
  stored,
  slotOf,
  successesOf,
  summarise,
  windowOf,
  type Counts,
  type HealthEvent,
  type WindowSummary,
} from '../health/window'

/** A link is counted as lapsed this long after its deadline, as the session's own alarm forgets it (sessionCoordinator.ts). */
const LAPSE_GRACE_MS = 60_000

/** Distinct error codes kept per 5-minute slot; more are counted as `other`. */
const MAX_ERROR_CODES = 32

/** One slot of a bank's last hour, in brief: [slot start (s), attempts, successes, starts] (starts: since the report before). */
export type BriefSlot = [number, number, number, number?]

export interface BankSummary {
  bank: string
  lastHour: WindowSummary
  last24h: WindowSummary
  /** Seconds since the epoch; null when none is known. */
  lastSuccessAt: number | null
  /** The last 24 hours, oldest first: for the dashboard's chart. */
  hours: { hour: number; attempts: number; successes: number; failed: number; lapsed: number }[]
}

interface Meta {
  bank?: string
  lastSuccessAt?: number
}

export class BankHealth extends DurableObject<Env> {
  private slots = new Map<number, Counts>()
  private open = new Map<string, { at: number; expiresAt: number }>()
  private meta: Meta = {}
  /** The index instance: each bank's brief last hour, and when it last reported. */
  private briefs = new Map<string, { slots: BriefSlot[]; at: number }>()

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    void ctx.blockConcurrencyWhile(async () => {
      for (const [key, value] of await ctx.storage.list<unknown>()) {
        if (key.startsWith('slot:')) this.slots.set(Number(key.slice(5)), revived(value as Counts))
        else if (key.startsWith('open:')) this.open.set(key.slice(5), value as { at: number; expiresAt: number })
        else if (key.startsWith('brief:')) this.briefs.set(key.slice(6), value as { slots: BriefSlot[]; at: number })
        else if (key === 'meta') this.meta = value as Meta
      }
    })
  }

  /** Events of this bank's sessions, in the order they happened (count.ts gathers them): one storage write for all. */
  async count(events: HealthEvent[]): Promise<void> {
    const changed = new Set<number>()
    const slotAt = (atMs: number) => {
      const slot = slotOf(atMs)
      let counts = this.slots.get(slot)
      if (!counts) this.slots.set(slot, (counts = emptyCounts()))
      changed.add(slot)
      return counts
    }
    const writes: Record<string, unknown> = {}
    const deletes = new Set<string>()
    let moved = false
    for (const event of events) {
      const returnMs = this.countOne(event, slotAt, writes, deletes)
      if (returnMs === null) continue
      moved ||= event.stage === 'outcome'
      this.dataPoint(
        event.bank,
        event.stage,
        event.stage === 'outcome' ? event.status : '',
        event.stage === 'outcome' ? (event.error ?? '') : '',
        event.kind,
        returnMs,
      )
    }
    const deleted = [...deletes]
    const lapsedNow = this.sweep(Date.now(), slotAt, deleted)
    for (const slot of changed) writes[`slot:${slot}`] = stored(this.slots.get(slot)!)
    writes.meta = this.meta
    await this.ctx.storage.put(writes)
    if (deleted.length) await this.ctx.storage.delete(deleted)
    // Only outcomes and lapses move attempts and successes: the index hears of nothing else.
    await this.afterChange(moved || lapsedNow > 0)
  }

  /** Sessions that came back (outcome) lately: an opening heard after its outcome (from another isolate) does not stay open. */
  private returned = new Map<string, number>()

  /** One event into the slots; its return time (ms) for an outcome, null when it changes nothing. */
  private countOne(
    event: HealthEvent,
    slotAt: (atMs: number) => Counts,
    writes: Record<string, unknown>,
    deletes: Set<string>,
  ): number | undefined | null {
    let returnMs: number | undefined
    this.meta.bank = event.bank
    if (event.stage === 'started') slotAt(event.at).started++
    else if (event.stage === 'opened') {
      if (this.open.has(event.session)) return null // counted once per link
      slotAt(event.at).opened++
      if (this.returned.has(event.session)) return undefined
      const entry = { at: event.at, expiresAt: event.expiresAt }
      this.open.set(event.session, entry)
      writes[`open:${event.session}`] = entry
      deletes.delete(`open:${event.session}`)
    } else {
      const counts = slotAt(event.at)
      counts.returned++
      if (event.status === 'failed') {
        // Codes are bounded by session/complete.ts ([a-z_]{1,64}); their variety per slot is bounded here.
        const code = event.error ?? 'unknown'
        bump(counts.errors, Object.hasOwn(counts.errors, code) || Object.keys(counts.errors).length < MAX_ERROR_CODES ? code : 'other')
      } else {
        counts[event.status]++
        this.meta.lastSuccessAt = Math.floor(event.at / 1000)
      }
      const opened = this.open.get(event.session)
      if (opened) {
        returnMs = Math.max(0, event.at - opened.at)
        const bin = binOf(returnMs)
        bump(counts.returnMs, String(bin))
        this.open.delete(event.session)
        delete writes[`open:${event.session}`]
        deletes.add(`open:${event.session}`)
      }
      for (const [session, at] of this.returned) {
        if (at > event.at - HOUR_S * 1000) break // in the order they came back
        this.returned.delete(session)
      }
      this.returned.set(event.session, event.at)
    }
    return returnMs
  }

  /** Links past their deadline become `lapsed` (in the slot of their deadline); slots older than 24 h go. */
  private sweep(nowMs: number, slotAt: (atMs: number) => Counts, deletes: string[]): number {
    let lapsed = 0
    for (const [session, entry] of this.open) {
      if (entry.expiresAt * 1000 + LAPSE_GRACE_MS > nowMs) continue
      slotAt(Math.min(entry.expiresAt * 1000, nowMs)).lapsed++
      lapsed++
      this.open.delete(session)
      deletes.push(`open:${session}`)
      if (this.meta.bank) this.dataPoint(this.meta.bank, 'lapsed', '', '', undefined, undefined)
    }
    const oldest = slotOf(nowMs) - DAY_S
    for (const slot of this.slots.keys()) {
      if (slot > oldest) continue
      this.slots.delete(slot)
      deletes.push(`slot:${slot}`)
    }
    return lapsed
  }

  /** When the alarm is set for (ms), as this object last set it. */
  private alarmAt: number | undefined

  /** When this object last reported to the index (ms): it also says the bank is active, at least every 10 minutes. */
  private reportedAt = 0

  /** Report the last hour to the index (when it moved), and wake up when the next open link lapses. */
  private async afterChange(moved: boolean) {
    if (this.meta.bank && (moved || Date.now() - this.reportedAt > 600_000)) {
      this.reportedAt = Date.now()
      const from = slotOf(Date.now()) - HOUR_S + SLOT_S
      const brief: BriefSlot[] = [...this.slots]
        .filter(([slot]) => slot >= from)
        .map(([slot, c]) => [slot, attemptsOf(c), successesOf(c), c.started] as BriefSlot)
      this.ctx.waitUntil(
        indexOf(this.env)
          .report(this.meta.bank, brief)
          .catch(() => undefined),
      )
    }
    let next: number | undefined
    for (const entry of this.open.values()) next = Math.min(next ?? Infinity, entry.expiresAt * 1000 + LAPSE_GRACE_MS)
    if (next === this.alarmAt) return
    this.alarmAt = next
    if (next !== undefined) await this.ctx.storage.setAlarm(next)
    else await this.ctx.storage.deleteAlarm()
  }

  override async alarm(): Promise<void> {
    this.alarmAt = undefined // spent
    const writes: Record<string, unknown> = {}
    const deletes: string[] = []
    const changed = new Set<number>()
    const lapsed = this.sweep(
      Date.now(),
      (atMs) => {
        const slot = slotOf(atMs)
        let counts = this.slots.get(slot)
        if (!counts) this.slots.set(slot, (counts = emptyCounts()))
        changed.add(slot)
        return counts
      },
      deletes,
    )
    for (const slot of changed) writes[`slot:${slot}`] = stored(this.slots.get(slot)!)
    if (changed.size) await this.ctx.storage.put(writes)
    if (deletes.length) await this.ctx.storage.delete(deletes)
    await this.afterChange(lapsed > 0)
  }

  /** This bank's last hour and last 24 h (GET /banks/health). */
  async summary(): Promise<BankSummary> {
    const now = Date.now()
    const currentHour = Math.floor(now / 1000 / HOUR_S) * HOUR_S
    const hours = Array.from({ length: 24 }, (_, i) => ({ hour: currentHour - (23 - i) * HOUR_S, counts: emptyCounts() }))
    for (const [slot, counts] of this.slots) {
      const hour = hours[23 - (currentHour - Math.floor(slot / HOUR_S) * HOUR_S) / HOUR_S]
      if (hour) addCounts(hour.counts, counts)
    }
    return {
      bank: this.meta.bank ?? '',
      lastHour: summarise(windowOf(this.slots, now, HOUR_S)),
      last24h: summarise(windowOf(this.slots, now, DAY_S)),
      lastSuccessAt: this.meta.lastSuccessAt ?? null,
      hours: hours.map(({ hour, counts }) => {
        const s = summarise(counts)
        return { hour, attempts: s.attempts, successes: s.connected + s.authorised, failed: s.failed, lapsed: s.lapsed }
      }),
    }
  }

  private dataPoint(bank: string, stage: string, status: string, error: string, kind: string | undefined, returnMs: number | undefined) {
    // blob1 bank, blob2 stage, blob3 status, blob4 error code, blob5 kind; double1 = 1 (a count), double2 = return time (ms) or 0.
    this.env.BANK_HEALTH_EVENTS?.writeDataPoint({
      indexes: [bank.slice(0, 96)],
      blobs: [bank, stage, status, error, kind ?? 'connection'],
      doubles: [1, returnMs ?? 0],
    })
  }

  // ---------- the index instance ----------

  /** A bank's last hour, in brief. */
  async report(bank: string, slots: BriefSlot[]): Promise<void> {
    const entry = { slots, at: Math.floor(Date.now() / 1000) }
    this.briefs.set(bank, entry)
    await this.ctx.storage.put(`brief:${bank}`, entry)
  }

  /** Every bank active in the last 24 h, with its last hour in brief. */
  async briefsOfActiveBanks(): Promise<Record<string, BriefSlot[]>> {
    const since = Math.floor(Date.now() / 1000) - DAY_S
    const answer: [string, BriefSlot[]][] = []
    for (const [bank, entry] of this.briefs) {
      if (entry.at >= since) answer.push([bank, entry.slots])
      else {
        this.briefs.delete(bank)
        await this.ctx.storage.delete(`brief:${bank}`)
      }
    }
    // A plain object (what RPC carries) whose every key is its own, `__proto__` too.
    return Object.fromEntries(answer)
  }
}

/** The counts of one bank (its key: count.ts). */
export const bankHealthOf = (env: Env, bank: string) => env.BANK_HEALTH.get(env.BANK_HEALTH.idFromName(`bank:${bank}`))
/** The index of every bank's last hour. */
export const indexOf = (env: Env) => env.BANK_HEALTH.get(env.BANK_HEALTH.idFromName('index'))
