/** The page the user sees after the callback when the session has no returnTo. Everything interpolated is escaped by hono/html. */
import { html } from 'hono/html'
import type { Session } from '../storage/sessions'

/** Nothing may load, run or frame: the page is text. */
export const RESULT_PAGE_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

export function resultPage(session: Session) {
  const connected = session.status === 'connected'
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${connected ? 'Bank connected' : 'Bank not connected'}</title>
      </head>
      <body>
        <h1>${connected ? 'Your bank account is connected' : 'Your bank account was not connected'}</h1>
        <p>
          ${connected ? 'You can close this window and return to the app.' : 'Nothing was shared. You can close this window and try again from the app.'}
        </p>
        ${session.error ? html`<p>Reason: <code>${session.error}</code>${session.errorDescription ? html` (${session.errorDescription})` : ''}</p>` : ''}
        <p><small>Session ${session.id}</small></p>
      </body>
    </html>`
}
