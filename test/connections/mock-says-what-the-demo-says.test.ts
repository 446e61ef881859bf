/**
 * The mock's consent pages and the demo say what the README and the demo's buttons say (issue 28 item 6): the VRP page
 * shows the limit per period beside the most one payment may be; the bank is named, not shown as its hex id; the
 * buttons read Approve / Deny, as the README's "approve (or deny)"; after Cancel the demo offers no Pay button.
 */
import { describe, expect, it } from 'vitest'
import { APP_ORIGIN, browser, MOCK_BANK_ID, mockOrigin, paymentBody, started, startedPayment } from '../helpers'

const NORTHWIND = '0b4ac5f6c6c0bf6aee4e6e9eb3bd0d13'
const consentOf = async (authorizeUrl: string) => (await fetch(await browser.launch(authorizeUrl))).text()
const text = (page: string) =>
  page
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
/** The words of one element, found by its id. */
const element = (page: string, id: string) => {
  const match = new RegExp(`<(\\w+)[^>]* id="${id}"[^>]*>([\\s\\S]*?)</\\1\\s*>`).exec(page)
  return match ? text(match[2]!) : undefined
}
const vrpBody = (periodicLimits: unknown[]) => ({
  bankId: MOCK_BANK_ID,
  payee: { name: 'Streaming Ltd', sortCode: '300000', accountNumber: '87654321' },
  reference: 'Subscription',
  maximumIndividualAmount: 500,
  periodicLimits,
  type: ['Other'],
  returnTo: `${APP_ORIGIN}/done`,
})

describe('the VRP consent page shows every limit the user agrees to', () => {
  it('"up to £5 a month": the most per payment and the limit per calendar month', async () => {
    const consent = await startedPayment(
      '/recurring-payments',
      vrpBody([{ amount: 500, periodType: 'Month', periodAlignment: 'Calendar' }]),
    )
    const page = await consentOf(consent.authorizeUrl)
    expect(element(page, 'payment')).toMatch(/up to £5\.00 each/)
    expect(element(page, 'limits')).toBe('and no more than £5.00 per calendar month.')
  })

  it('several limits, each with its period and how it is counted', async () => {
    const consent = await startedPayment(
      '/recurring-payments',
      vrpBody([
        { amount: 200, periodType: 'Week', periodAlignment: 'Consent' },
        { amount: 2000, periodType: 'Year', periodAlignment: 'Calendar' },
      ]),
    )
    const page = await consentOf(consent.authorizeUrl)
    expect(element(page, 'limits')).toBe('and no more than £2.00 per week, counted from the day you approve, and £20.00 per calendar year.')
  })
})

describe('consent pages name the bank', () => {
  it('a connection to a listed bank: its name from the bank list', async () => {
    const page = await consentOf((await started({ bankId: NORTHWIND })).authorizeUrl)
    expect(element(page, 'bank')).toBe('Northwind Bank')
  })

  it('re-authorising an existing connection: the bank its connection id names', async () => {
    const connectionId = `${NORTHWIND}:06737ffe-cdff-4047-a1d3-b54ebc8c368b`
    const session = await started({ userId: '60537b074c4b6fdf12024658', connectionId, action: 'reauth' })
    expect(element(await consentOf(session.authorizeUrl), 'bank')).toBe('Northwind Bank')
  })

  it('a payment: the bank by its name', async () => {
    const page = await consentOf((await startedPayment('/payments', paymentBody())).authorizeUrl)
    expect(element(page, 'bank')).toBe('Moneyhub Open Banking Mock')
  })
})

describe('the buttons say what the README says: approve (or deny)', () => {
  it('a connection to a chosen bank: Approve / Deny', async () => {
    const page = await consentOf((await started({ bankId: MOCK_BANK_ID })).authorizeUrl)
    expect(element(page, 'approve')).toBe('Approve')
    expect(element(page, 'deny')).toBe('Deny')
  })

  it('a session without bankId: Approve / Deny, the bank the mock picks named, no "Connect …" button', async () => {
    const page = await consentOf((await started({})).authorizeUrl)
    expect(element(page, 'approve')).toBe('Approve')
    expect(element(page, 'deny')).toBe('Deny')
    expect(element(page, 'bank')).toBe('Moneyhub Open Banking Mock')
    expect(text(page)).not.toMatch(/Connect Moneyhub/)
  })

  it('a payment: "Approve the payment" / Deny', async () => {
    const page = await consentOf((await startedPayment('/payments', paymentBody())).authorizeUrl)
    expect(element(page, 'approve')).toBe('Approve the payment')
    expect(element(page, 'deny')).toBe('Deny')
  })
})

describe('the demo, as served', () => {
  it('offers Pay and Cancel only while the consent is authorised (after Cancel, no Pay button)', async () => {
    const demo = await (await fetch(`${mockOrigin()}/`)).text()
    // The buttons' paragraph starts hidden and is shown for an authorised consent only: revoked hides it.
    expect(demo).toMatch(/<p id="subscription" hidden>/)
    expect(demo).toContain(`document.getElementById('subscription').hidden = v.status !== 'authorised';`)
  })
})
