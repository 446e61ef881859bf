/**
 * The demo app, for `npm run dev` only: a one-page frontend on its own origin
 * that uses the proxy the way a real app would (the bank picker from GET /banks,
 * POST /sessions from the browser, then the status API), and shows the
 * connected accounts that its "backend" (demoBackend.ts) read. It never sees a token.
 */
import { html, raw } from 'hono/html'

export function demoPage(proxyOrigin: string) {
  const script = `
const proxy = ${JSON.stringify(proxyOrigin)};
const out = document.getElementById('status');
const show = (text) => { out.textContent = text; };
const picker = document.getElementById('bank');
// The bank picker: the published list, from the proxy's edge cache.
fetch(proxy + '/banks').then((r) => (r.ok ? r.json() : Promise.reject(new Error('GET /banks answered ' + r.status)))).then((banks) => {
  for (const bank of banks.sort((a, b) => a.name.localeCompare(b.name))) {
    picker.insertBefore(new Option(bank.name, bank.id), picker.lastElementChild);
  }
  const mock = banks.find((b) => b.name === 'Moneyhub Open Banking Mock');
  if (mock) picker.value = mock.id;
}).catch((e) => { document.getElementById('banks-note').textContent = 'Bank list unavailable (' + e.message + '): choose at Moneyhub.'; });
document.getElementById('connect').addEventListener('click', async () => {
  show('Starting…');
  const bankId = document.getElementById('bank').value || undefined;
  const res = await fetch(proxy + '/sessions', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ bankId, returnTo: location.origin + '/', dataScopes: ['accounts:read', 'transactions:read:all'] }),
  });
  const body = await res.json();
  if (!res.ok) return show('Could not start: ' + body.error + ' (' + body.message + ')');
  location.assign(body.authorizeUrl);
});
const params = new URLSearchParams(location.search);
const id = params.get('session');
if (id) {
  show('Checking session ' + id + '…');
  fetch(proxy + '/sessions/' + encodeURIComponent(id)).then((r) => r.json()).then((s) => {
    const lines = ['Status: ' + s.status];
    if (s.bankId) lines.push('Bank: ' + s.bankId);
    if (s.connectionId) lines.push('Connection: ' + s.connectionId);
    if (s.userId) lines.push('User: ' + s.userId);
    if (s.expiresAt) lines.push('Expires: ' + new Date(s.expiresAt * 1000).toISOString());
    if (s.error) lines.push('Error: ' + s.error + (s.errorDescription ? ' (' + s.errorDescription + ')' : ''));
    show(lines.join('\\n'));
    document.body.dataset.status = s.status;
    if (s.status !== 'connected') return;
    // What the app's backend read with the access token (demoBackend.ts); the page never holds the token.
    fetch('/__demo/accounts?session=' + encodeURIComponent(id)).then((r) => r.json()).then((answer) => {
      const accounts = answer.data || [];
      lines.push('', accounts.length ? 'Accounts:' : 'Accounts: ' + (answer.message || 'none'));
      for (const a of accounts) lines.push('  ' + a.accountName + ' (' + a.type + '): ' + (a.balance.amount.value / 100).toFixed(2) + ' ' + a.balance.amount.currency);
      show(lines.join('\\n'));
      document.body.dataset.accounts = String(accounts.length);
    });
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
            <option value="">Let me choose at Moneyhub (id:test)</option>
          </select></label
        >
        <small id="banks-note"></small>
        <button id="connect">Connect</button>
        <pre id="status">Not connected yet.</pre>
        <script>
          ${raw(script)}
        </script>
      </body>
    </html>`
}
