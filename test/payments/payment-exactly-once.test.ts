/**
 * A payment is made by the code exchange, so the exchange must happen exactly
 * once: the same callback delivered twice at once (a double submit, an
 * app-to-app redirect opened twice) and a reload afterwards both return the
 * user with the same outcome, the mock records one code exchange and one
 * payment, and the status never flips.
 */
import { describe, expect, it } from 'vitest'
import { Browser, madeAtMockFor, mockRequests, paymentBody, paymentStatusOf, startedPayment, webhooksFor, sleepMs } from '../helpers'

const exchangesOf = async (code: string) => (await mockRequests()).filter((r) => r.endpoint === 'token' && r.params.code === code)

describe('a payment callback delivered twice', () => {
  it('at once: one code exchange, one payment, the same answer to both', async () => {
    const user = new Browser()
    const payment = await startedPayment('/payments', paymentBody())
    // A slow token endpoint keeps the first exchange running while the second callback arrives.
    const back = await user.authorize(payment.authorizeUrl, 'approve', { fault: 'slow', delay_ms: '500' })
    const [one, two] = await Promise.all([user.callback(back), user.callback(back)])
    expect([one.status, two.status]).toEqual([303, 303])
    expect(two.headers.get('location')).toBe(one.headers.get('location'))
    expect(new URL(one.headers.get('location')!).searchParams.get('status')).toBe('authorised')

    expect(await exchangesOf(back.searchParams.get('code')!)).toHaveLength(1)
    expect(await madeAtMockFor(payment.id)).toHaveLength(1)
    expect(await paymentStatusOf(payment.id)).toMatchObject({ status: 'authorised', paymentId: (await madeAtMockFor(payment.id))[0]!.id })
  })

  it('again after it completed (a reload): the same outcome, nothing exchanged, one webhook', async () => {
    const user = new Browser()
    const payment = await startedPayment('/payments', paymentBody())
    const back = await user.authorize(payment.authorizeUrl)
    const first = await user.callback(back)
    const reload = await user.callback(back)
    expect(reload.status).toBe(303)
    expect(reload.headers.get('location')).toBe(first.headers.get('location'))
    expect(await exchangesOf(back.searchParams.get('code')!)).toHaveLength(1)
    expect(await madeAtMockFor(payment.id)).toHaveLength(1)

    // Opening the authorizeUrl again sends the user back with the outcome, and pushes nothing upstream.
    const reopened = await user.open(payment.authorizeUrl)
    expect(reopened.status).toBe(303)
    expect(new URL(reopened.headers.get('location')!).searchParams.get('status')).toBe('authorised')

    await sleepMs(1_500)
    expect((await webhooksFor(payment.id)).map((w) => JSON.parse(w.body).status)).toEqual(['authorised'])
  })
})
