/** The mock's pages: the consent page the user sees, and the form_post answer. */
import { html } from 'hono/html'
import { bankName } from './bankLists'
import { GROUP_SELECTORS, MOCK_BANK_ID } from './oauth'
import { paymentSummary } from './payments'
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
  // The bank by its name from the mock's list: the one a group selector's Approve picks, the one named by id:<bankId>,
  // or, on an existing connection, the first part of its mh:con_id (<bankId>:<connection>).
  const conId = params.claims.id_token['mh:con_id']?.value
  const bankId = chooser ? MOCK_BANK_ID : (selector ?? (typeof conId === 'string' ? conId.split(':')[0] : undefined))
  const name = bankId === undefined ? undefined : bankName(bankId)
  const bank = name
    ? html`<strong id="bank">${name}</strong>`
    : bankId
      ? html`bank <code id="bank">${bankId}</code>`
      : html`<span id="bank">your existing connection</span>`
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>Mock Moneyhub: consent</title>
      </head>
      <body>
        <h1>Mock Moneyhub identity server</h1>
        <p>
          The app ${asked.what} ${chooser ? html`a bank of your choice; this mock has one: ${bank}` : bank} (scope
          <code>${params.scope}</code>).
        </p>
        ${paymentSummary(params)}
        <p><a id="approve" href="${link({ decision: 'approve', ...(chooser ? { bank: MOCK_BANK_ID } : {}) })}">${asked.approve}</a></p>
        <p><a id="deny" href="${link({ decision: 'deny' })}">Deny</a></p>
      </body>
    </html>`
}
