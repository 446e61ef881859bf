/**
 * Moneyhub's own record of a payment: `GET {identity}/payments/:id` with a
 * client-credentials token scoped payment:read (moneyhub/moneyhub-api-client, src/requests/payments.ts getPayment:
 * `ApiResponse<Payment>`, read by identityRecord in either shape).
 * GET /payments/:id shows it beside the session's status, and a frontend may
 * poll that every second: each payment is kept in the isolate for a few
 * seconds, and concurrent reads of one payment share one upstream call.
 */
import * as v from 'valibot'
import type { Config } from '../config'
import { ApiError } from '../errors'
import { int, looseObject, named } from '../util/valibot'
import { IdentityApiError, identityRecord } from '../oidc/identity'
import { upstreamFailure } from './errors'

/** Moneyhub's payment; `status` is inProgress, pending, completed, rejected, cancelled, abandoned or error:…; other members pass through. */
export const MoneyhubPayment = named(
  looseObject({
    id: v.string(),
    status: v.string(),
    amount: int(),
    payeeId: v.optional(v.string()),
    payeeRef: v.optional(v.string()),
    payerRef: v.optional(v.string()),
    currency: v.optional(v.string()),
    initiatedAt: v.optional(v.string()),
    finalisedAt: v.optional(v.string()),
    /** Whether Moneyhub can reverse it (the official client's `Payment` type); refunds go by it when present. */
    isReversible: v.optional(v.boolean()),
  }),
  OPENAPI_BUILD && 'MoneyhubPayment',
  OPENAPI_BUILD && "Moneyhub's record of a payment; status: inProgress, pending, completed, rejected, cancelled, abandoned or error:…",
)
export type MoneyhubPayment = v.InferOutput<typeof MoneyhubPayment>

/** How long a read payment is kept: short enough that a status change shows within a poll or two. */
export const PAYMENT_CACHE_MS = 3_000
const MAX_ENTRIES = 10_000
const kept = new Map<string, { until: number; payment: Promise<MoneyhubPayment> }>()

/** For tests: forget the payments this isolate keeps. */
export const forgetPayments = () => kept.clear()

async function fetchPayment(config: Config, paymentId: string): Promise<MoneyhubPayment> {
  let data: unknown
  try {
    data = await identityRecord(config, { path: `/payments/${encodeURIComponent(paymentId)}`, scope: 'payment:read' })
  } catch (error) {
    if (error instanceof IdentityApiError && error.status === 404) {
      throw new ApiError('payment_not_found', 'Moneyhub has no payment with this id')
    }
    upstreamFailure(error, 'read the payment')
  }
  const parsed = v.safeParse(MoneyhubPayment, data)
  if (!parsed.success || parsed.output.id !== paymentId) {
    throw new ApiError('upstream_invalid_response', 'Moneyhub answered the payment in an unexpected shape')
  }
  return parsed.output
}

/**
 * Moneyhub's record of the payment, at most PAYMENT_CACHE_MS old (`fresh`: read
 * now, for a decision such as a refund). A failed read is not kept.
 */
export function readPayment(config: Config, paymentId: string, options: { fresh?: boolean } = {}): Promise<MoneyhubPayment> {
  const key = `${config.issuer} ${paymentId}`
  const now = Date.now()
  const hit = kept.get(key)
  if (hit && hit.until > now && !options.fresh) return hit.payment
  if (kept.size >= MAX_ENTRIES) {
    for (const [k, v] of kept) if (v.until <= now) kept.delete(k)
    if (kept.size >= MAX_ENTRIES) kept.delete(kept.keys().next().value!)
  }
  const payment = fetchPayment(config, paymentId)
  const entry = { until: now + PAYMENT_CACHE_MS, payment }
  kept.set(key, entry)
  payment.catch(() => {
    if (kept.get(key) === entry) kept.delete(key)
  })
  return payment
}
