/**
 * The demo app, for `npm run dev` only: a one-page frontend on its own origin
 * that uses the proxy the way a real app would (POST /sessions from the
 * browser, then the status API). It never sees a token.
 */
import { html, raw } from 'hono/html'
import { MOCK_BANK_ID } from './oauth'

export function demoPage(proxyOrigin: string) {
  const script = `
const proxy = ${JSON.stringify(proxyOrigin)};
const out = document.getElementById('status');
const show = (text) => { out.textContent = text; };
document.getElementById('connect').addEventListener('click', async () => {
  show('Starting…');
  const bankId = document.getElementById('bank').value || undefined;
  const res = await fetch(proxy + '/sessions', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ bankId, returnTo: location.origin + '/' }),
  });
  const body = await res.json();
  if (!res.ok) return show('Could not start: ' + body.error + ' (' + body.message + ')');
  // The session secret: proves, on return, that this tab started the session (the status API asks for it).
  sessionStorage.setItem('secret:' + body.id, body.secret);
  location.assign(body.authorizeUrl);
});
const params = new URLSearchParams(location.search);
const id = params.get('session');
const secret = id && sessionStorage.getItem('secret:' + id);
if (id && !secret) show('Session ' + id + ' was not started in this tab: ignored.');
else if (id) {
  show('Checking session ' + id + '…');
  fetch(proxy + '/sessions/' + encodeURIComponent(id), { headers: { 'x-session-secret': secret } }).then((r) => r.json()).then((s) => {
    const lines = ['Status: ' + s.status];
    if (s.bankId) lines.push('Bank: ' + s.bankId);
    if (s.connectionId) lines.push('Connection: ' + s.connectionId);
    if (s.userId) lines.push('User: ' + s.userId);
    if (s.expiresAt) lines.push('Expires: ' + new Date(s.expiresAt * 1000).toISOString());
    if (s.error) lines.push('Error: ' + s.error + (s.errorDescription ? ' (' + s.errorDescription + ')' : ''));
    show(lines.join('\\n'));
    document.body.dataset.status = s.status;
  });
}`
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>Demo app: connect a bank</title>
        <style>
          body {
            font: 16px system-ui;
            max-width: 40em;
            margin: 2em auto;
          }
          pre {
            background: #f4f4f4;
            padding: 1em;
            white-space: pre-wrap;
            word-break: break-all;
          }
        </style>
      </head>
      <body>
        <h1>Demo app</h1>
        <p>Connect a bank account through the edge connect proxy at <code>${proxyOrigin}</code>.</p>
        <label
          >Bank
          <select id="bank">
            <option value="${MOCK_BANK_ID}">Moneyhub Open Banking Mock</option>
            <option value="">Let me choose at Moneyhub (id:test)</option>
          </select></label
        >
        <button id="connect">Connect</button>
        <pre id="status">Not connected yet.</pre>
        <script>
          ${raw(script)}
        </script>
      </body>
    </html>`
}
