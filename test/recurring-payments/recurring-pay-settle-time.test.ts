/**
 * A person settling a VRP pay with a paymentId (POST /unresolved-sessions/:id/settle with `pay`): Moneyhub's record
 * must have been made when the pay was sent, within its window (the reconciliation window, with 10 minutes of clock
 * skew either side), as the automatic looks require. An earlier payment of the same consent, amount and references
 * (last month's) never settles this month's pay: 409 record_time_mismatch.
 */
import { describe, expect, it } from 'vitest'
import type { PayEntry } from '../../src/payments/recurring'
import { mismatchOf } from '../../src/payments/recurringPaySettle'

const WINDOW_S = 900
const sentAt = Date.parse('2026-12-01T12:00:00Z')
const pay = {
  bodyHash: 'h',
  createdAt: sentAt,
  request: { amount: 500, payeeRef: 'Streaming', payerRef: 'Monthly plan' },
  state: 'answered',
  recurringPaymentId: 'consent-1',
} as PayEntry
const record = (initiatedAt: string) => ({
  id: 'payment-1',
  amount: 500,
  payeeRef: 'Streaming',
  payerRef: 'Monthly plan',
  recurringPaymentId: 'consent-1',
  initiatedAt,
})

describe("a person's paymentId for a VRP pay: made within the pay's window", () => {
  it('a record made when the pay was sent (clock skew allowed) agrees', () => {
    expect(mismatchOf(record('2026-12-01T12:00:03Z'), pay, 'consent-1', WINDOW_S)).toBeUndefined()
    expect(mismatchOf(record('2026-12-01T11:55:00Z'), pay, 'consent-1', WINDOW_S)).toBeUndefined()
    expect(mismatchOf(record('2026-12-01T12:24:00Z'), pay, 'consent-1', WINDOW_S)).toBeUndefined()
  })

  it('an earlier payment of the same terms (last month) is refused: record_time_mismatch', () => {
    expect(mismatchOf(record('2026-11-01T12:00:00Z'), pay, 'consent-1', WINDOW_S)?.code).toBe('record_time_mismatch')
  })

  it('a payment made long after the window is refused too', () => {
    expect(mismatchOf(record('2026-12-02T12:00:00Z'), pay, 'consent-1', WINDOW_S)?.code).toBe('record_time_mismatch')
  })
})
