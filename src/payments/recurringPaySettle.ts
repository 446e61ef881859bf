/**
 * A person settles a VRP pay whose outcome is unknown (POST /unresolved-sessions/:id/settle with `pay`,
 * docs/reconciliation.md, "When a person must look"): issue 26's rules for a session, applied to one pay under a
 * consent (payments/recurring.ts). Free of HTTP; the consent's Durable Object runs it in order with its pays and
 * looks (objects/coordinator/consentPays.ts), and sends the webhook.
 *
 *  - Only a pay still unresolved (`isUnresolvedPay`: confirming, or left `sending`) is settled; a known one is 409.
 *  - With a `paymentId`: refused when another holder has it (objects/moneyhubIdIndex.ts); when Moneyhub's record of
 *    it can be read, it must agree with every field the pay fixed (not a refund, this consent when it names one,
 *    amount, payeeRef, payerRef, the payee when both are known, made within the pay's window), else 409 with a code
 *    naming the field; then held
 *    for `<sessionId>/<pay reference>`, and only then the pay's answer becomes 201 `made` with it.
 *  - `notMade`: the person's word that Moneyhub has no record of it; the pay's answer becomes 422 `payment_not_made`,
 *    kept with who and when (`settled`). Never said of a pay that is not unresolved (money may have moved).
 */
import * as v from 'valibot'
import type { Config } from '../config'
import { ApiError, ERRORS } from '../errors'
import { penceOf, reversalOf, type Item } from '../kinds/match'
import { holderOfMoneyhubId, holdMoneyhubId } from '../objects/moneyhubIdIndex'
import { MoneyhubPayment, readPayment } from './payments'
import { PAY_CLOCK_SKEW_S } from './recurringPayLooks'
import { isUnresolvedPay, type PayEntry, type PayRecords, type PaySettled, type RecurringPaymentMade } from './recurring'

/** What the person said about one pay: the payment that is its own, or that none is. */
export type PaySettlement = { pay: string; paymentId: string } | { pay: string; notMade: true }

/** The consent a pay is settled under. */
export interface ConsentOfPay {
  env: Env
  pays: PayRecords
  sessionId: string
  /** The consent's Moneyhub id (a pay's own, when it was kept, comes first). */
  recurringPaymentId?: string
}

/** The first field the pay fixed that Moneyhub's record says otherwise, as its error; undefined when every one agrees. */
export function mismatchOf(record: Item, entry: PayEntry, consentId: string | undefined, windowS: number): ApiError | undefined {
  if (reversalOf(record) !== undefined)
    return new ApiError('record_kind_mismatch', 'Moneyhub’s record is a refund of another payment, not a payment under the consent')
  if (record.recurringPaymentId !== undefined && record.recurringPaymentId !== consentId)
    return new ApiError('record_consent_mismatch', 'Moneyhub’s record was made under another recurring payment consent')
  if (penceOf(record.amount) !== entry.request.amount)
    return new ApiError('record_amount_mismatch', `Moneyhub’s record is not for ${entry.request.amount} pence, the pay’s amount`)
  if (record.payeeRef !== undefined && record.payeeRef !== entry.request.payeeRef)
    return new ApiError('record_payee_ref_mismatch', 'Moneyhub’s record has another payeeRef than the pay')
  if (record.payerRef !== undefined && record.payerRef !== entry.request.payerRef)
    return new ApiError('record_payer_ref_mismatch', 'Moneyhub’s record has another payerRef than the pay')
  if (entry.payeeId && record.payeeId !== undefined && record.payeeId !== entry.payeeId)
    return new ApiError('record_payee_mismatch', 'Moneyhub’s record pays another payee than the pay')
  // Made when the pay was sent, as the looks require (recurringPayLooks.ts): not an earlier payment of the same terms.
  const at = Date.parse(String(record.initiatedAt ?? record.submittedAt ?? record.createdAt)) / 1000
  const sent = Math.floor(entry.createdAt / 1000)
  if (!Number.isNaN(at) && (at < sent - PAY_CLOCK_SKEW_S || at > sent + windowS + PAY_CLOCK_SKEW_S))
    return new ApiError('record_time_mismatch', 'Moneyhub’s record was made outside the pay’s window (an earlier or later payment)')
  return undefined
}

/** Moneyhub's record of the payment, when it can be read now: a 404 refuses (no such payment); Moneyhub unreachable leaves the person's word. */
async function recordOrNothing(config: Config, paymentId: string): Promise<MoneyhubPayment | undefined> {
  try {
    return await readPayment(config, paymentId, { fresh: true })
  } catch (error) {
    if (error instanceof ApiError && error.code === 'payment_not_found') throw error
    return undefined
  }
}

/**
 * The pay settled as the person said: its record key and its new entry, for the caller to keep (with its webhook in
 * the same write: consentPays.ts). A paymentId is held for the pay before this returns.
 */
export async function settlePay(config: Config, consent: ConsentOfPay, by: PaySettlement): Promise<{ key: string; entry: PayEntry }> {
  const { pays, sessionId } = consent
  const key = pays.keyOfRef(by.pay)
  const entry = await pays.get(key)
  if (!entry) throw new ApiError('pay_not_found', 'the consent has no pay with this reference (GET /recurring-payments/:id lists them)')
  if (!isUnresolvedPay(entry)) throw new ApiError('pay_not_unresolved', 'the pay’s outcome is known: nothing to settle')
  const settled: PaySettled = { by: 'backend', at: Date.now() }
  const consentId = entry.recurringPaymentId ?? consent.recurringPaymentId
  if ('notMade' in by) {
    const notMade: PayEntry = {
      ...entry,
      state: 'answered',
      settled,
      answer: {
        httpStatus: ERRORS.payment_not_made,
        body: {
          error: 'payment_not_made',
          message: 'a person settled this payment as not made (Moneyhub has no record of it); retry with a new Idempotency-Key',
        },
      },
    }
    return { key, entry: notMade }
  }
  const holder = pays.holderOf(sessionId, key)
  const refuseHeld = (held: { kind: string; holder: string }) =>
    new ApiError('moneyhub_id_held', `this Moneyhub ${held.kind} id already settles ${held.holder}`)
  // Asked before Moneyhub's record is read, so a refused id is never held for this pay; held again (atomically) below.
  const before = await holderOfMoneyhubId(consent.env, by.paymentId)
  if (before && (before.holder !== holder || before.kind !== 'recurring_pay')) throw refuseHeld(before)
  const record = await recordOrNothing(config, by.paymentId)
  const mismatch = record && mismatchOf(record, entry, consentId, config.reconciliationWindowSeconds)
  if (mismatch) throw mismatch
  const held = await holdMoneyhubId(consent.env, 'recurring_pay', by.paymentId, holder)
  if (!held.ok) throw refuseHeld(held.held)
  const kept = entry.answer?.body as RecurringPaymentMade | undefined
  const { reason: _, ...rest } = kept && 'status' in kept ? kept : { id: sessionId, recurringPaymentId: consentId ?? '' }
  const parsed = record ? v.safeParse(MoneyhubPayment, record) : undefined
  const made: PayEntry = {
    ...entry,
    state: 'answered',
    settled,
    answer: {
      httpStatus: 201,
      body: {
        ...rest,
        id: sessionId,
        recurringPaymentId: consentId ?? '',
        status: 'made',
        paymentId: by.paymentId,
        ...(parsed?.success ? { payment: parsed.output } : {}),
      },
    },
  }
  return { key, entry: made }
}
