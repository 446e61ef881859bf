/**
 * Issue 26 item 3: a confirming VRP pay is reconciled against Moneyhub's payments of its own consent and payee, on
 * every field the pay fixed, and by its paymentSubmissionId when Moneyhub gave one. A pay under another consent (same
 * payee, amount and references) never settles it; each payment found is held (src/objects/moneyhubIdIndex.ts) for
 * `<sessionId>/<pay key>` before it is assigned; two candidates leave both pays confirming. Both client versions.
 */
import { env, runDurableObjectAlarm } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { getConfig } from '../../src/config'
import { identityRequest } from '../../src/oidc/identity'
import { holderOfMoneyhubId } from '../../src/objects/moneyhubIdIndex'
import { consent, failAfterPaying, failBeforePaying, paidAtMock, pay, paymentsListed, stubOf, VERSIONS } from '../vrp'

/** One payee of the client's, for two consents. */
async function sharedPayee(): Promise<string> {
  const data = (await identityRequest(await getConfig(env), {
    method: 'POST',
    path: '/payees',
    scope: 'payee:create',
    body: { name: 'Gym Ltd', sortCode: '400000', accountNumber: '11223344' },
  })) as { id: string }
  return data.id
}

describe.each(VERSIONS)('reconciling a confirming VRP pay (client %s.x answers)', (version) => {
  // Amounts of this version's own: the other version's pays are in the same list.
  const pence = (base: number) => base + Number(version)
  it('never settles with a pay under another consent to the same payee, with the same amount and references', async () => {
    const payeeId = await sharedPayee()
    const mine = await consent(version, { payeeId, payee: undefined })
    const theirs = await consent(version, { payeeId, payee: undefined })
    // Their pay is made; mine never reaches Moneyhub (a gateway's 502): confirming.
    expect((await pay(theirs.id, pence(140))).status).toBe(201)
    await failBeforePaying(mine.recurringPaymentId)
    const key = crypto.randomUUID()
    const unknown = await pay(mine.id, pence(140), key)
    expect(unknown.status).toBe(202)
    expect(await unknown.json()).toMatchObject({ status: 'confirming', reason: 'upstream_502' })
    await runDurableObjectAlarm(stubOf(mine.id))
    const after = await pay(mine.id, pence(140), key)
    expect(after.status).toBe(202)
    expect(await after.json()).toMatchObject({ status: 'confirming' })
    expect((await paidAtMock(mine.recurringPaymentId)).payments).toHaveLength(0)
  })

  it('settles with its own payment, held for this pay before it is assigned', async () => {
    const { id, recurringPaymentId } = await consent(version)
    await failAfterPaying(recurringPaymentId)
    const key = crypto.randomUUID()
    expect((await pay(id, pence(160), key)).status).toBe(202)
    await runDurableObjectAlarm(stubOf(id))
    const [made] = (await paidAtMock(recurringPaymentId)).payments
    const settled = await pay(id, pence(160), key)
    expect(settled.status).toBe(201)
    expect(await settled.json()).toMatchObject({ status: 'made', paymentId: made!.id })
    const hold = await holderOfMoneyhubId(env, made!.id)
    expect(hold).toMatchObject({ kind: 'recurring_pay' })
    expect(hold!.holder.startsWith(`${id}/`)).toBe(true)
  })

  it('two look-alike pays, both confirming, both made: neither is guessed', async () => {
    const { id, recurringPaymentId } = await consent(version)
    const keys = [crypto.randomUUID(), crypto.randomUUID()]
    for (const key of keys) {
      await failAfterPaying(recurringPaymentId)
      expect((await pay(id, pence(110), key)).status).toBe(202)
    }
    expect((await paidAtMock(recurringPaymentId)).payments).toHaveLength(2)
    await runDurableObjectAlarm(stubOf(id))
    for (const key of keys) {
      const answer = await pay(id, pence(110), key)
      expect(answer.status).toBe(202)
      expect(await answer.json()).toMatchObject({ status: 'confirming', reason: 'match_ambiguous' })
    }
    expect((await paymentsListed(id)).map((p) => p.status)).toEqual(['confirming', 'confirming'])
  })
})
