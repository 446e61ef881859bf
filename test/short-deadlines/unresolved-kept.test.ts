/**
 * Nothing unknown is dropped (issue 26 item 6): a payment still `confirming` when its reconciliation window has
 * passed (here `not_reconcilable`: nothing to match on) keeps being looked at from its Durable Object's alarm, and its
 * Durable Object state and KV record outlive the 24 h they used to be forgotten after, until it is settled.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { LATE_MAX_DELAY_S } from '../../src/payments/nextLook'
import { backendJson, Browser, paymentBody, paymentStatusOf, sleepMs, startedPayment, stubOf } from '../helpers'

const WINDOW_MS = Number(env.RECONCILIATION_WINDOW_SECONDS) * 1000
const now = () => Math.floor(Date.now() / 1000)
type State = { record: { expiresAt: number; status: string }; forgetAt?: number; reconcile?: { target?: unknown } }
const stateOf = (id: string) => runInDurableObject(stubOf(id), (_, state) => state.storage.get<State>('session'))
const alarmOf = (id: string) => runInDurableObject(stubOf(id), (_, state) => state.storage.getAlarm())
/** Changes the object's state, in its storage and in its memory. */
const edit = (id: string, change: (saved: State) => State) =>
  runInDurableObject(stubOf(id), async (instance, state) => {
    const changed = change((await state.storage.get<State>('session'))!)
    ;(instance as unknown as { state: State }).state = changed
    await state.storage.put('session', changed)
  })

describe('an unresolved payment past its window and past 24 h', () => {
  it('is still looked at, its state and record kept, and listed for a person', async () => {
    const user = new Browser()
    const payment = await startedPayment('/payments', paymentBody())
    await user.callback(await user.authorize(payment.authorizeUrl, 'approve', { fault: 'server_error' }))
    expect(await paymentStatusOf(payment.id)).toMatchObject({ status: 'confirming' })
    // As after a rotated TOKEN_ENCRYPTION_KEY: the launch ticket, and so what to match on, cannot be read.
    await edit(payment.id, ({ reconcile, ...rest }) => {
      const { target: _target, ...look } = reconcile!
      return { ...rest, reconcile: look }
    })
    await sleepMs(WINDOW_MS + 200)
    await runDurableObjectAlarm(stubOf(payment.id))
    expect(await paymentStatusOf(payment.id)).toMatchObject({ status: 'confirming', reason: 'not_reconcilable' })
    expect(await alarmOf(payment.id)).not.toBeNull() // looked at again

    // 24 h later (its state and record say so): what used to be the end of it.
    await edit(payment.id, (saved) => ({ ...saved, record: { ...saved.record, expiresAt: now() - 1 }, forgetAt: now() - 1 }))
    await runDurableObjectAlarm(stubOf(payment.id))
    const kept = await stateOf(payment.id)
    expect(kept?.record.status).toBe('confirming')
    const next = (await alarmOf(payment.id))! / 1000
    expect(next).toBeGreaterThan(now())
    expect(next).toBeLessThanOrEqual(now() + LATE_MAX_DELAY_S + 1)
    // The KV record is written again to outlast the next look, and the status still reads.
    const status = await paymentStatusOf(payment.id)
    expect(status).toMatchObject({ status: 'confirming', reason: 'not_reconcilable' })
    expect(status.expiresAt).toBeGreaterThan(next)

    const listed = await (await backendJson('GET', '/unresolved-sessions')).json<{ sessions: { id: string }[] }>()
    expect(listed.sessions.map((s) => s.id)).toContain(payment.id)
  })
})
