/**
 * The journeys: the only list of them. Everything that differs between a
 * connection, a payment, a standing order, a VRP consent and a refund is a
 * field of its kind (kind.ts, one file each beside this one); the session
 * machine, reconciliation, the session record's outcome ids and the answers'
 * fields all read them from here. Adding a journey: docs/development.md,
 * "Adding a journey".
 */
import { connectionKind } from './connection'
import type { SessionKind } from './kind'
import { paymentKind } from './payment'
import { recurringPaymentKind } from './recurringPayment'
import { reversePaymentKind } from './refund'
import { standingOrderKind } from './standingOrder'

/** The journeys that pay, by the name a session record stores. */
export const PAYMENT_KINDS = {
  payment: paymentKind,
  standing_order: standingOrderKind,
  recurring_payment: recurringPaymentKind,
  reverse_payment: reversePaymentKind,
} as const

/** Every journey by name: what a session record's `kind` looks up at the callback. */
export const SESSION_KINDS = { connection: connectionKind, ...PAYMENT_KINDS } as const

export type KindName = keyof typeof SESSION_KINDS
export type PaymentKindName = keyof typeof PAYMENT_KINDS
type NonEmpty<T> = readonly [T, ...T[]]
export const KIND_NAMES = Object.keys(SESSION_KINDS) as unknown as NonEmpty<KindName>
/** The kinds that pay: they end `authorised`, and keep no token set. */
export const PAYMENT_KIND_NAMES = Object.keys(PAYMENT_KINDS) as unknown as NonEmpty<PaymentKindName>

/** A paying kind, whichever (each takes the request its own schema parsed). */
export type AnyPaymentKind = (typeof PAYMENT_KINDS)[PaymentKindName]

/** The ids a paying kind's id_token may give: fields of the session, its status answer and its webhook. */
export type OutcomeField = { [K in PaymentKindName]: (typeof PAYMENT_KINDS)[K]['outcomeFields'][number] }[PaymentKindName]
export const OUTCOME_IDS: readonly OutcomeField[] = [
  ...new Set(Object.values(PAYMENT_KINDS).flatMap((kind): readonly OutcomeField[] => kind.outcomeFields)),
]
export type OutcomeIds = Partial<Record<OutcomeField, string>>

/** The paying kind of this name. */
export const paymentKindOf = (name: PaymentKindName): AnyPaymentKind => PAYMENT_KINDS[name]

/** The kind of a stored session: the record names it; a record without `kind` is a connection (records made before kinds). */
export const kindOf = (record: { kind?: PaymentKindName | undefined }): SessionKind<any, object> =>
  record.kind ? PAYMENT_KINDS[record.kind] : connectionKind

/** Whether the session is a paying kind's: it ends `authorised` and keeps no token set. */
export const isPaymentKind = (record: { kind?: PaymentKindName | undefined }) => kindOf(record).pays

/** Whether the session is a consent's (kind.ts `consent`: a VRP consent), a standing permission at Moneyhub once authorised. */
export const isConsent = (record: { kind?: PaymentKindName | undefined } | undefined) =>
  record?.kind !== undefined && paymentKindOf(record.kind).consent
