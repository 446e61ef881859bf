/** The mock's consent page says what the user is asked: "pay" on a payment, "connect" on a connection. */
import { describe, expect, it } from 'vitest'
import { browser, paymentBody, started, startedPayment } from '../helpers'

const consentOf = async (authorizeUrl: string) => (await fetch(await browser.launch(authorizeUrl))).text()
const text = (page: string) => page.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ')

describe('the mock consent page', () => {
  it('on a payment, asks to pay, not to connect', async () => {
    const payment = await startedPayment('/payments', paymentBody())
    const page = text(await consentOf(payment.authorizeUrl))
    expect(page).toMatch(/asks you to pay/)
    expect(page).toMatch(/Approve the payment/)
    expect(page).not.toMatch(/\bconnect\b/i)
  })

  it('on a connection, asks to connect', async () => {
    const session = await started({})
    const page = text(await consentOf(session.authorizeUrl))
    expect(page).toMatch(/asks to connect/)
    expect(page).not.toMatch(/\bpay\b/i)
  })
})
