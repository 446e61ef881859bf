/**
 * Issue 26 item 1 (its VRP bullet), as the pay route meets it: a VRP consent whose outcome is unknown (confirming) or
 * whose id was never proved (authorised without recurringPaymentId) is not paid under: 409 `consent_unverified`,
 * nothing sent, until it is verified or set up again.
 */
import { describe, expect, it } from 'vitest'
import { Browser, paymentStatusOf, startedPayment } from '../helpers'
import { CONSENT_TERMS, pay } from '../vrp'

async function consentWith(fault: string) {
  const user = new Browser()
  const started = await startedPayment('/recurring-payments', CONSENT_TERMS)
  await user.callback(await user.authorize(started.authorizeUrl, 'approve', { fault }))
  return started.id
}

describe('paying under a consent that is not verified', () => {
  it('a consent still confirming is refused with 409 consent_unverified', async () => {
    const id = await consentWith('server_error_after_payment')
    expect((await paymentStatusOf(id)).status).toBe('confirming')
    const refused = await pay(id, 100)
    expect(refused.status).toBe(409)
    expect(await refused.json()).toMatchObject({ error: 'consent_unverified' })
  })

  it('an authorised consent whose id was never proved is refused with 409 consent_unverified', async () => {
    const id = await consentWith('id_claim_missing')
    const view = await paymentStatusOf(id)
    expect(view.status).toBe('authorised')
    expect(view.recurringPaymentId).toBeUndefined()
    const refused = await pay(id, 100)
    expect(refused.status).toBe(409)
    expect(await refused.json()).toMatchObject({ error: 'consent_unverified' })
  })
})
