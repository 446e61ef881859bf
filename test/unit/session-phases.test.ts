/**
 * The session's Durable Object keeps its state as a union keyed by the phase of its diagram
 * (src/objects/coordinator/state.ts), and decides its alarm from that state (alarmPlan.ts): a state kept before the
 * phase was written gets the one its fields imply; the alarm comes first for the work that remains; a final state is
 * remembered while its link could still be opened. Pure: no workerd bindings used.
 */
import { describe, expect, it } from 'vitest'
import { alarmAtOf, CLAIM_STALE_S, forgetAtOf, hasWork } from '../../src/objects/coordinator/alarmPlan'
import { claimedAt, phaseOf, withPhase, type SessionState } from '../../src/objects/coordinator/state'
import type { StoredSession } from '../../src/storage/sessionRecord'

const now = 2_000_000
const record = (status: StoredSession['status'], more: Partial<StoredSession> = {}) =>
  ({ id: 's-1', status, createdAt: now - 100, expiresAt: now + 500, ...more }) as StoredSession

describe('the phase of a kept state', () => {
  it('a state kept before the phase was written gets the one its fields imply', () => {
    expect(phaseOf({ record: record('pending'), stateHash: 'h', sealedTicket: 't' })).toBe('created')
    expect(phaseOf({ record: record('pending'), stateHash: 'h', browserKeyHash: 'b' })).toBe('launched')
    expect(phaseOf({ record: record('pending'), stateHash: 'h', browserKeyHash: 'b', claimedAt: 1 })).toBe('completing')
    expect(phaseOf({ record: record('confirming'), claimedAt: 1 })).toBe('settled')
    expect(phaseOf({ record: record('authorised'), deleted: true })).toBe('deleted')
    expect(withPhase({ record: record('connected') })?.phase).toBe('settled')
    expect(withPhase(undefined)).toBeUndefined()
  })

  it('a phase that was written is kept as it is', () => {
    const kept: SessionState = { phase: 'launched', record: record('pending'), stateHash: 'h', browserKeyHash: 'b' }
    expect(withPhase(kept)).toBe(kept)
  })

  it('claiming the callback makes a launched session completing', () => {
    const launched: SessionState = { phase: 'launched', record: record('pending'), stateHash: 'h', browserKeyHash: 'b' }
    expect(claimedAt(launched, 5)).toMatchObject({ phase: 'completing', claimedAt: 5 })
  })
})

describe('the alarm', () => {
  it('rings first for the work that remains', () => {
    const state: SessionState = {
      phase: 'settled',
      record: record('confirming'),
      forgetAt: now + 86_400,
      reconcile: { from: now, until: now + 900, attempt: 0, nextAt: now + 20, firstDelay: 20 },
      unwritten: { keepUntil: now + 60, attempt: 1, nextAt: now + 2 },
    }
    expect(alarmAtOf(state, Infinity, now)).toBe(now + 2)
    expect(alarmAtOf(state, now + 1, now)).toBe(now + 1)
    expect(hasWork(state)).toBe(true)
    expect(hasWork({ phase: 'settled', record: record('failed') })).toBe(false)
  })

  it('a claim whose exchange never ended is looked at again once it is stale', () => {
    const state: SessionState = {
      phase: 'completing',
      record: record('pending'),
      stateHash: 'h',
      browserKeyHash: 'b',
      claimedAt: now * 1000,
    }
    expect(alarmAtOf(state, Infinity, now)).toBe(now + CLAIM_STALE_S)
  })

  it('a final state is remembered while its link could be opened, and at least as long as its Idempotency-Key', () => {
    const config = { sessionTtlSeconds: 600 }
    expect(forgetAtOf(record('expired'), { linkExpiresAt: now + 300 }, config, now)).toBe(now + 360)
    expect(forgetAtOf(record('failed'), {}, config, now)).toBe(now + 600)
    expect(forgetAtOf(record('failed'), { keepUntil: now + 86_400 }, config, now)).toBe(now + 86_400)
    expect(forgetAtOf(record('connected'), {}, config, now)).toBeUndefined()
  })
})
