/**
 * The pieces each kind's match rule (kinds/*.ts `match`) is built from: how a
 * record of Moneyhub's says an amount, a day, a payee, or the payment a refund
 * reverses. Pure: no I/O. The rule that uses them (equal on every field the
 * session fixed, the time window, proof) is payments/reconciliation.ts `matches`
 * and docs/reconciliation.md, "The proof rule".
 */
import { isObject } from '../util/loose'

/** A record of one of Moneyhub's lists, or a request's claim value. */
export type Item = Record<string, unknown>

/** A verdict on one record: equal on every field (`exact`), unequal on one (`no`), or not provably either (`near`). */
export type Verdict = 'exact' | 'near' | 'no'

/** A payee's account, as a payee record or a request gives it. */
export interface PayeeDetails {
  name?: string
  sortCode?: string
  accountNumber?: string
}

export interface MatchContext {
  /** The user the session knows (the request's userId, or a validated id_token's sub). */
  userId?: string
  /** Payee records read for this look (id → details; null: no such payee). */
  payees?: ReadonlyMap<string, PayeeDetails | null>
}

export const termsOf = (item: Item, key: string) => (isObject(item[key]) ? item[key] : {})
/** Assumption (project): a refund's record names the payment it reverses; the mock's `reversesPaymentId`, or `reversedPaymentId`. */
export const reversalOf = (item: Item): string | undefined => {
  const named = item.reversesPaymentId ?? item.reversedPaymentId
  return typeof named === 'string' ? named : undefined
}

/** Whether the field `key` the request fixed is what the record lists (either side may leave it out). */
export const fixedIn = (value: Item) => (key: string, listed: unknown) =>
  value[key] === undefined || listed === undefined || value[key] === listed

/**
 * An amount in pence, as a request gives it (a number) or a record declares
 * it: a number, or the official client's `Balance` `{ amount: { value, … }, date }`
 * or `Amount` `{ value, … }` (src/schema/balance.ts; `value` in minor units,
 * Assumption (project), as Moneyhub's data API shows balances).
 */
export function penceOf(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : undefined
  if (!isObject(v)) return undefined
  if (isObject(v.amount)) return penceOf(v.amount)
  return typeof v.value === 'number' && Number.isSafeInteger(v.value) ? v.value : undefined
}

/** The same calendar day (dates are given as ISO dates or date-times; the official client's readme also shows 15-MAR-2021). */
export const sameDay = (a: unknown, b: unknown) => {
  if (a === b) return true
  const day = (v: unknown) =>
    typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? new Date(Date.parse(v)).toISOString().slice(0, 10) : undefined
  return day(a) !== undefined && day(a) === day(b)
}

const digits = (v: unknown) => (typeof v === 'string' ? v.replace(/\D/g, '') : undefined)
const sameAccount = (a: PayeeDetails, b: PayeeDetails) =>
  digits(a.sortCode) !== undefined &&
  digits(a.sortCode) === digits(b.sortCode) &&
  digits(a.accountNumber) === digits(b.accountNumber) &&
  (a.name === undefined || b.name === undefined || a.name.trim().toLowerCase() === b.name.trim().toLowerCase())

/** The payee a record carries in full: `payee` `{ name, sortCode, accountNumber }` or a `StandingOrderWithDetail`'s `{ name, sortCodeAccountNumber }` (both versions). */
function carriedPayee(item: Item): PayeeDetails | undefined {
  const payee = isObject(item.payee)
    ? item.payee
    : isObject(termsOf(item, 'standingOrder').payee)
      ? (termsOf(item, 'standingOrder').payee as Item)
      : undefined
  if (!payee) return undefined
  const joined = digits(payee.sortCodeAccountNumber)
  return {
    ...(typeof payee.name === 'string' ? { name: payee.name } : {}),
    sortCode: joined && joined.length === 14 ? joined.slice(0, 6) : (payee.sortCode as string | undefined),
    accountNumber: joined && joined.length === 14 ? joined.slice(6) : (payee.accountNumber as string | undefined),
  } as PayeeDetails
}

/** The payee: the same id when both sides have one; else the same account, from the records read (`payee`: read this one first). */
export function payeeVerdict(value: Item, item: Item, context: MatchContext): Verdict | { payee: string } {
  const listedId = typeof item.payeeId === 'string' ? item.payeeId : undefined
  const askedId = typeof value.payeeId === 'string' ? value.payeeId : undefined
  // A request that fixed no payee (a pay under a consent: the consent's payee) has none to compare.
  if (askedId === undefined && !isObject(value.payee)) return 'exact'
  if (askedId !== undefined && listedId !== undefined) return askedId === listedId ? 'exact' : 'no'
  const details = (id: string | undefined, given: PayeeDetails | undefined): PayeeDetails | null | { payee: string } | undefined => {
    if (given) return given
    if (id === undefined) return undefined
    return context.payees?.has(id) ? context.payees.get(id)! : { payee: id }
  }
  const asked = details(askedId, isObject(value.payee) ? (value.payee as PayeeDetails) : undefined)
  const listed = details(listedId, carriedPayee(item))
  for (const side of [asked, listed]) if (side && 'payee' in side) return side
  if (!asked || !listed) return 'near'
  return sameAccount(asked as PayeeDetails, listed as PayeeDetails) ? 'exact' : 'no'
}
