/**
 * A person settles an unresolved session (POST /unresolved-sessions/:id/settle,
 * docs/reconciliation.md, "When a person must look"): with the Moneyhub id of
 * its record, checked against Moneyhub's record of it when that can be read
 * (settleCheck.ts: reconciliation's own rule), then held for it in the id index
 * (a record settles at most one session), or as not made. Free of HTTP; the session's Durable Object
 * (objects/sessionCoordinator.ts `settle`) runs it in order with its other work, and its
 * transition sends the webhook.
 */
import * as v from 'valibot'
import { authorisedRetentionSeconds } from '../session/complete'
import { ApiError } from '../errors'
import { PAYMENT_KINDS, paymentKindOf, type AnyPaymentKind, type PaymentKindName } from '../kinds/registry'
import { described, refine, refined, strictObject } from '../util/valibot'
import { holderOfMoneyhubId, holdMoneyhubId } from '../objects/moneyhubIdIndex'
import type { Config } from '../config'
import type { SessionStore } from '../storage/sessions'
import type { StoredSession } from '../storage/sessionRecord'
import { isUnresolved } from './nextLook'
import { MONEYHUB_ID } from './schemas'
import type { PaySettlement } from './recurringPaySettle'
import { checkSettleRecord, type SettleLook } from './settleCheck'

/**
 * The id field each payment kind is settled with: its kind's `outcomeId`, the one reconciliation settles it with, so a person and reconciliation give a session the same id. A refund's is `paymentId`, its own payment
 * record's id (a refund is listed among the payments).
 */
const settleFieldOf = (kind: PaymentKindName) => paymentKindOf(kind).outcomeId
type SettleField = AnyPaymentKind['outcomeId']
const FIELDS: readonly SettleField[] = [...new Set(Object.values(PAYMENT_KINDS).map((kind): SettleField => kind.outcomeId))]

/** As payments/schemas.ts reads Moneyhub's ids. */
const moneyhubId = (what: string) =>
  v.optional(
    described(
      v.pipe(v.string(), v.regex(MONEYHUB_ID, 'must be a Moneyhub id (letters, digits, - and _)')),
      OPENAPI_BUILD && `Moneyhub's id of the record that settles ${what}`,
    ),
  )

/** One optional id per settle field, described by the kinds it settles (`settledBy`). */
const idFields = Object.fromEntries(
  FIELDS.map((field) => [
    field,
    moneyhubId(
      Object.values(PAYMENT_KINDS)
        .filter((kind) => kind.outcomeId === field)
        .map((kind) => kind.settledBy)
        .join(', or '),
    ),
  ]),
) as { [F in SettleField]: ReturnType<typeof moneyhubId> }

const settleFields = strictObject({
  ...idFields,
  notMade: v.optional(described(v.literal(true, 'must be true'), OPENAPI_BUILD && 'Moneyhub has no record of it: it was not made')),
  pay: v.optional(
    described(
      v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{43}$/, 'must be a pay reference, as GET /recurring-payments/:id lists it')),
      OPENAPI_BUILD &&
        'A VRP consent’s pay whose outcome is unknown (its `pay`, as GET /recurring-payments/:id and GET /unresolved-sessions list it): settled with paymentId or notMade, instead of the consent',
    ),
  ),
})
type SettleFields = v.InferOutput<typeof settleFields>

export const SettleBody = refined(
  settleFields,
  refine<SettleFields>(
    (b) => FIELDS.filter((field) => b[field] !== undefined).length + (b.notMade ? 1 : 0) === 1,
    `give exactly one of ${FIELDS.join(', ')} (the session kind's id) or notMade: true`,
  ),
)

/** What the person said: the record that settles it, or that none does; with `pay`, of one pay under a VRP consent. */
export type Settlement = { field: SettleField; moneyhubId: string } | { notMade: true }

export function settlementOf(body: SettleFields): Settlement | PaySettlement {
  if (body.pay !== undefined) {
    if (body.notMade) return { pay: body.pay, notMade: true }
    // A pay under a consent is a payment: settled with its paymentId only.
    if (body.paymentId === undefined) throw new ApiError('settle_field_mismatch', 'a pay under a VRP consent is settled with paymentId')
    return { pay: body.pay, paymentId: body.paymentId }
  }
  if (body.notMade) return { notMade: true }
  const field = FIELDS.find((name) => body[name] !== undefined)!
  return { field, moneyhubId: body[field]! }
}

/**
 * The session settled: the id checked against Moneyhub's record and held for it,
 * then `authorised` with it; or `failed` (`payment_not_made`). Refused when the
 * session is not unresolved, the field is not its kind's, the id settles another
 * session, Moneyhub has no such record (404) or its record is not the session's
 * (409 `record_*_mismatch`), or an authorised session (money moved) is said not
 * to be made. `look`: what the session asked for and its window (its reconciliation).
 */
export async function settleUnresolved(
  env: Env,
  config: Config,
  store: SessionStore,
  record: StoredSession,
  by: Settlement,
  look?: SettleLook,
): Promise<StoredSession> {
  if (!isUnresolved(record) || !record.kind)
    throw new ApiError(
      'session_not_unresolved',
      `the session is ${record.status}${record.reason ? ` (${record.reason})` : ''}: its outcome is known, nothing to settle`,
    )
  if ('notMade' in by) {
    if (record.status !== 'confirming')
      throw new ApiError('session_authorised', 'the session is authorised (the bank approved it): settle it with its Moneyhub id')
    return store.markFailed(record, 'payment_not_made', 'settled by a person: Moneyhub has no record of it, it was not made')
  }
  const field = settleFieldOf(record.kind)
  if (by.field !== field) throw new ApiError('settle_field_mismatch', `a ${record.kind} session is settled with ${field}`)
  const refuseHeld = (held: { kind: string; holder: string }) =>
    new ApiError('moneyhub_id_held', `this Moneyhub ${held.kind} id already settles session ${held.holder}`)
  // Asked before Moneyhub's record is read, so that a refused id is never held for this session; held (atomically) after.
  const before = await holderOfMoneyhubId(env, by.moneyhubId)
  if (before && (before.holder !== record.id || before.kind !== record.kind)) throw refuseHeld(before)
  await checkSettleRecord(
    config,
    { id: record.id, kind: record.kind, userId: record.userId, reverses: record.reverses },
    by.moneyhubId,
    look,
  )
  const held = await holdMoneyhubId(env, record.kind, by.moneyhubId, record.id)
  if (!held.ok) throw refuseHeld(held.held)
  return store.storeAuthorised(record, { [field]: by.moneyhubId }, authorisedRetentionSeconds(record))
}
