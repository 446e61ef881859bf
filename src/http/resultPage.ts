/** The page the user sees after the callback when the session has no returnTo. Everything interpolated is escaped by hono/html. */
import { html } from 'hono/html'
import type { Session } from '../storage/sessionRecord'

/** Nothing may load, run or frame: the page is text. */
export const RESULT_PAGE_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

/** What the page says: [title, heading, text], for success and for failure; a payment kind speaks of the payment. */
const WORDS = {
  connection: {
    success: ['Bank connected', 'Your bank account is connected', 'You can close this window and return to the app.'],
    failure: [
      'Bank not connected',
      'Your bank account was not connected',
      'Nothing was shared. You can close this window and try again from the app.',
    ],
  },
  payment: {
    success: [
      'Payment authorised',
      'Your payment is authorised',
      'Your bank is making the payment. You can close this window and return to the app.',
    ],
    failure: ['Payment not made', 'Your payment was not made', 'No money moved. You can close this window and try again from the app.'],
    // The outcome is unknown (docs/reconciliation.md): never "not made", and never a prompt to pay again.
    confirming: [
      'Confirming your payment',
      'We are confirming your payment with your bank',
      'Do not pay again. The app will show the outcome shortly; you can close this window and return to it.',
    ],
  },
} as const

export function resultPage(session: Session) {
  const succeeded = session.status === 'connected' || session.status === 'authorised'
  const [title, heading, text] =
    session.status === 'confirming'
      ? WORDS.payment.confirming
      : WORDS[session.kind ? 'payment' : 'connection'][succeeded ? 'success' : 'failure']
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title}</title>
      </head>
      <body>
        <h1>${heading}</h1>
        <p>${text}</p>
        ${session.error ? html`<p>Reason: <code>${session.error}</code>${session.errorDescription ? html` (${session.errorDescription})` : ''}</p>` : ''}
        <p><small>Session ${session.id}</small></p>
      </body>
    </html>`
}

/** Each refusal of a browser route, in words a person can act on: the same for every session kind (connection or payment). */
const REASONS: Record<string, string> = {
  link_used:
    'This link was already opened in another browser. For your security it works in one browser only: go back to the app and start again.',
  state_used: 'This was already completed. You can close this window and return to the app.',
  state_unknown: 'This page does not belong to a bank request in progress. Go back to the app and start again.',
  state_expired: 'This took too long and has expired. Go back to the app and start again.',
  session_expired: 'This link has expired. Go back to the app and start again.',
  session_deleted: 'This was cancelled. Go back to the app and start again.',
  browser_mismatch: 'This was started in another browser. Finish it in the browser where you started it, or start again from the app here.',
  ticket_invalid: 'This link is not valid. Go back to the app and start again.',
  rate_limited: 'There were too many attempts from your network. Wait a minute, then try again.',
  invalid_request: 'This link is incomplete or malformed. Go back to the app and start again.',
  return_to_not_allowed: 'The app asked to return to an address it may not use. Please tell the app provider.',
}

export const reasonInWords = (code: string) => REASONS[code] ?? 'This could not continue. Go back to the app and try again.'

/** A refusal on a browser route, for a person: what happened and what to do. */
export function refusalPage(code: string) {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Bank not connected</title>
      </head>
      <body>
        <h1>Your bank account was not connected</h1>
        <p>${reasonInWords(code)}</p>
        <p>
          <small>Reason: <code>${code}</code></small>
        </p>
      </body>
    </html>`
}
