/**
 * When a session whose outcome is unknown is looked at next (payments/nextLook.ts): inside the reconciliation window
 * every few minutes with a last look at its end; past it, further and further apart up to 6 hours, for as long as it
 * is unresolved; and its records are kept past the next look.
 */
import { describe, expect, it } from 'vitest'
import { isUnresolved, keepUnresolvedUntil, LATE_MAX_DELAY_S, nextLookAt, UNRESOLVED_KEEP_S } from '../../src/payments/nextLook'

const look = (attempt: number) => ({ until: 1_000_900, attempt, firstDelay: 20 })

describe('the next look at an unknown outcome', () => {
  it('inside the window: doubling from the first delay, capped at 5 minutes, and never past the window’s end', () => {
    expect(nextLookAt(1_000_000, look(1)) - 1_000_000).toBe(40)
    expect(nextLookAt(1_000_000, look(4)) - 1_000_000).toBe(300)
    expect(nextLookAt(1_000_800, look(5))).toBe(1_000_900)
  })

  it('past the window: the delay keeps growing to 6 hours, and stays there (days later, still looked at)', () => {
    const delays = [5, 7, 9, 10, 11, 20, 40, 200].map((attempt) => nextLookAt(2_000_000, look(attempt)) - 2_000_000)
    expect(delays).toEqual([640, 2560, 10_240, 20_480, LATE_MAX_DELAY_S, LATE_MAX_DELAY_S, LATE_MAX_DELAY_S, LATE_MAX_DELAY_S])
  })

  it('keeps the records past the next look, writing them again only when they would lapse near it', () => {
    expect(keepUnresolvedUntil(100_000, 50_000)).toBeUndefined()
    expect(keepUnresolvedUntil(50_500, 50_000)).toBe(50_000 + UNRESOLVED_KEEP_S)
  })

  it('unresolved: confirming for any reason, authorised still without its id (pending or ambiguous); nothing else', () => {
    expect(isUnresolved({ kind: 'payment', status: 'confirming', reason: 'match_ambiguous' })).toBe(true)
    expect(isUnresolved({ kind: 'reverse_payment', status: 'confirming', reason: 'not_reconcilable' })).toBe(true)
    expect(isUnresolved({ kind: 'payment', status: 'authorised', reason: 'id_pending' })).toBe(true)
    expect(isUnresolved({ kind: 'standing_order', status: 'authorised', reason: 'id_ambiguous' })).toBe(true)
    expect(isUnresolved({ kind: 'payment', status: 'authorised' })).toBe(false)
    expect(isUnresolved({ kind: 'payment', status: 'authorised', reason: 'id_not_found' })).toBe(false)
    expect(isUnresolved({ kind: 'payment', status: 'failed' })).toBe(false)
    expect(isUnresolved({ status: 'connected' })).toBe(false)
  })
})
