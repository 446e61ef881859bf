/**
 * What one look at Moneyhub's records decides (payments/nextLook.ts, decideLook), as the session's alarm asks it:
 * found is authorised with the id; ambiguous or unverified says so and never fails; not there fails a confirming
 * payment only once the window has passed and the list was read whole; Moneyhub unreachable decides nothing.
 * Pure: no workerd bindings used.
 */
import { describe, expect, it } from 'vitest'
import { decideLook, lookAgain } from '../../src/payments/nextLook'

const look = { until: 1_000_900, attempt: 2, firstDelay: 20, nextAt: 1_000_000 }
const inWindow = 1_000_100
const past = 1_001_000

describe('one look at an unknown outcome', () => {
  it('found: authorised with the record’s id, whatever the window', () => {
    expect(decideLook({ found: { paymentId: 'p-1' } }, look, true, past)).toEqual({ verdict: { authorised: { paymentId: 'p-1' } } })
  })

  it('ambiguous or a VRP consent unverified: still confirming, or authorised saying so; never failed', () => {
    expect(decideLook({ ambiguous: 2 }, look, true, past)).toEqual({ verdict: { confirming: 'match_ambiguous' } })
    expect(decideLook({ ambiguous: 2 }, look, false, past)).toEqual({ verdict: { authorised: { reason: 'id_ambiguous' } } })
    expect(decideLook({ unverified: true }, look, true, inWindow)).toEqual({ verdict: { confirming: 'consent_unverified' } })
  })

  it('not there: looked at again inside the window; past it a confirming payment was not made, an authorised one stays without its id', () => {
    const again = decideLook({ none: true }, look, true, inWindow)
    expect('again' in again && again.again.attempt).toBe(3)
    expect(decideLook({ none: true }, look, true, past)).toEqual({ verdict: { failed: 'payment_not_made' } })
    expect(decideLook({ none: true }, look, false, past)).toEqual({ verdict: { authorised: { reason: 'id_not_found' } } })
    expect(decideLook({ unsupported: true }, look, true, past)).toEqual({ verdict: { confirming: 'not_reconcilable' } })
  })

  it('a list not read whole is never "none": a read stopped at its page bound goes on at once, from its cursor', () => {
    const cursor = { query: { offset: '500' }, pages: 5, exact: [], near: [] } as never
    const decision = decideLook({ incomplete: true, cursor }, look, true, past)
    expect(decision).toEqual({ again: { until: look.until, firstDelay: 20, attempt: 3, nextAt: past + 1, cursor } })
  })

  it('Moneyhub unreachable decides nothing, even past the window, and keeps the read where it stopped', () => {
    const cursor = { query: { offset: '100' }, pages: 1, exact: [], near: [] } as never
    const decision = decideLook(undefined, { ...look, cursor }, true, past)
    expect('again' in decision && decision.again.cursor).toBe(cursor)
    expect('again' in decision && decision.again.nextAt).toBeGreaterThan(past)
  })

  it('after a verdict left it unresolved, the next look reads the list afresh', () => {
    const next = lookAgain({ ...look, cursor: { query: { offset: '100' }, pages: 1, exact: [], near: [] } as never }, inWindow)
    expect(next.cursor).toBeUndefined()
    expect(next.attempt).toBe(3)
    expect(next.nextAt).toBeGreaterThan(inWindow)
  })
})
