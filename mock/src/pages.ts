/** The mock's pages: the consent page the user sees, and the form_post answer. */
import { html } from 'hono/html'
import { GROUP_SELECTORS, MOCK_BANK_ID } from './oauth'
import { PAYMENT_FLOWS, paymentSummary } from './payments'
import type { AuthParams } from './state'

/** OAuth 2.0 Form Post Response Mode: a page that POSTs the answer to the client at once. */
export function formPost(action: string, fields: URLSearchParams) {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>Submit this form</title>
      </head>
      <body onload="document.forms[0].submit()">
        <form method="post" action="${action}">
          ${[...fields].map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`)}
          <noscript><button type="submit">Continue</button></noscript>
        </form>
      </body>
    </html>`
}

export function consentPage(url: string, params: AuthParams, selector: string | undefined) {
  const link = (extra: Record<string, string>) => {
    const u = new URL(url)
    for (const [k, v] of Object.entries(extra)) u.searchParams.set(k, v)
    return u.pathname + u.search
  }
  const chooser = selector !== undefined && GROUP_SELECTORS.has(selector)
  // What the user is asked, in their words: a payment flow is paid (or set up, or refunded), never "connected".
  const scopes = params.scope.split(' ')
  const asked = scopes.includes('payment')
    ? { what: 'asks you to pay from', approve: 'Approve the payment' }
    : scopes.includes('standing_orders:create')
      ? { what: 'asks you to set up a standing order from', approve: 'Approve the standing order' }
      : scopes.includes('recurring_payment:create')
        ? { what: 'asks you to allow recurring payments from', approve: 'Approve the recurring payments' }
        : scopes.includes('reverse_payment')
          ? { what: 'asks to refund a payment from', approve: 'Approve the refund' }
          : { what: 'asks to connect', approve: 'Approve' }
  const paying = scopes.some((s) => s in PAYMENT_FLOWS)
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>Mock Moneyhub: consent</title>
      </head>
      <body>
        <h1>Mock Moneyhub identity server</h1>
        <p>
          The app ${asked.what}
          ${chooser ? 'a bank of your choice' : html`bank <code>${selector ?? (paying ? 'your existing connection' : 'existing connection')}</code>`}
          (scope
          <code>${params.scope}</code>).
        </p>
        ${paymentSummary(params)}
        ${
          chooser
            ? html`<p>
                <a id="approve" href="${link({ decision: 'approve', bank: MOCK_BANK_ID })}"
                  >${paying ? `${asked.approve} with` : 'Connect'} Moneyhub Open Banking Mock</a
                >
              </p>`
            : html`<p><a id="approve" href="${link({ decision: 'approve' })}">${asked.approve}</a></p>`
        }
        <p><a id="deny" href="${link({ decision: 'deny' })}">Deny</a></p>
      </body>
    </html>`
}
