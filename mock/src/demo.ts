/**
 * The demo app, for `npm run dev` only: a one-page frontend on its own origin
 * that uses the proxy the way a real app would (the bank picker from GET /banks,
 * POST /sessions from the browser, then the status API), and shows the
 * connected accounts that its "backend" (demoBackend.ts) read. It never sees a token.
 * "Pay £1.50" starts a payment through that backend (POST /payments), goes to
 * the mock bank and back, and follows GET /payments/:id: the session pending →
 * authorised, and Moneyhub's record of the payment inProgress → completed.
 * "Subscribe: up to £5 a month" sets up a VRP consent the same way; back from
 * the bank, "Pay £1 now" (and "Pay £4.50") pay under it through the backend
 * (POST /recurring-payments/:id/pay), "Cancel" revokes it (and the Pay and Cancel
 * buttons go: nothing more can be paid under it), and the page shows
 * GET /recurring-payments/:id: the consent's status and the payments made, and
 * each refusal with Moneyhub's reason.
 */
import { html, raw } from 'hono/html'

export function demoPage(proxyOrigin: string) {
  const script = `
const proxy = ${JSON.stringify(proxyOrigin)};
const out = document.getElementById('status');
const show = (text) => { out.textContent = text; };
// A refused or unreachable fetch says only "Failed to fetch" (the reason, e.g. CORS, is in the console): say what to check.
const unreachable = (what, error) => {
  show(what + ': the proxy at ' + proxy + ' did not answer (' + error.message + ').\\n' +
    'Check that npm run dev is running, and that this page\\'s origin, ' + location.origin + ', is in the proxy\\'s ALLOWED_ORIGINS ' +
    '(npm run dev sets it; a CORS refusal shows only in the browser console).');
  document.body.dataset.status = 'error';
};
const refused = (what, res, body) => {
  show(what + ': ' + res.status + ' ' + (body.error || '') + (body.message ? ' (' + body.message + ')' : '') +
    (body.problems ? '\\n- ' + body.problems.join('\\n- ') + '\\nFix .dev.vars and restart npm run dev.' : ''));
  document.body.dataset.status = 'error';
};
const picker = document.getElementById('bank');
// Bank names by id, from the list: the status shows the name, not only the id.
const bankNames = {};
// The bank picker: the published list, from the proxy's edge cache.
const banksLoaded = fetch(proxy + '/banks').then((r) => (r.ok ? r.json() : Promise.reject(new Error('GET /banks answered ' + r.status)))).then((banks) => {
  for (const bank of banks.sort((a, b) => a.name.localeCompare(b.name))) {
    bankNames[bank.id] = bank.name;
    const option = new Option(bank.name, bank.id);
    if (bank.health) option.dataset.health = bank.health; // the proxy's health mark (docs/bank-health.md)
    picker.insertBefore(option, picker.lastElementChild);
  }
  const mock = banks.find((b) => b.name === 'Moneyhub Open Banking Mock');
  if (mock) picker.value = mock.id;
  const healthNote = () => {
    const mark = picker.selectedOptions[0] && picker.selectedOptions[0].dataset.health;
    const words = { ok: '✓ This bank is working.', degraded: '⚠ This bank is having trouble right now.', failing: '✖ This bank is failing right now: try later, or pick another.' };
    document.getElementById('banks-note').textContent = words[mark] || '';
    document.getElementById('banks-note').dataset.health = mark || '';
  };
  picker.addEventListener('change', healthNote);
  healthNote();
}).catch((e) => { document.getElementById('banks-note').textContent = 'Bank list unavailable (' + e.message + '): choose at Moneyhub.'; });
document.getElementById('connect').addEventListener('click', async () => {
  show('Starting…');
  const bankId = document.getElementById('bank').value || undefined;
  let res, body;
  try {
    res = await fetch(proxy + '/sessions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ bankId, returnTo: location.origin + '/', dataScopes: ['accounts:read', 'transactions:read:all'] }),
    });
    body = await res.json().catch(() => ({}));
  } catch (error) {
    return unreachable('Could not start', error);
  }
  if (!res.ok) return refused('Could not start', res, body);
  // The session secret: proves, on return, that this tab started the session (the status API asks for it).
  sessionStorage.setItem('secret:' + body.id, body.secret);
  location.assign(body.authorizeUrl);
});
document.getElementById('pay').addEventListener('click', async () => {
  show('Starting the payment…');
  const attempt = crypto.randomUUID();
  const res = await fetch('/__demo/pay?attempt=' + attempt, { method: 'POST' }).catch((error) => ({ ok: false, status: 0, error }));
  const body = res.json ? await res.json().catch(() => ({})) : {};
  if (!res.ok) return refused('Could not start the payment', res, body);
  sessionStorage.setItem('payment:' + body.id, body.secret);
  // What the payment says before the user leaves for the bank: the first step of its history.
  const before = await fetch(proxy + '/payments/' + encodeURIComponent(body.id), { headers: { 'x-session-secret': body.secret } })
    .then((r) => r.json()).catch(() => ({}));
  if (before.status) sessionStorage.setItem('payment-seen:' + body.id, before.status);
  show('Payment: ' + (before.status || 'started') + '. Going to your bank…');
  location.assign(body.authorizeUrl);
});
document.getElementById('subscribe').addEventListener('click', async () => {
  show('Starting the subscription…');
  const res = await fetch('/__demo/subscribe?attempt=' + crypto.randomUUID(), { method: 'POST' }).catch((error) => ({ ok: false, status: 0, error }));
  const body = res.json ? await res.json().catch(() => ({})) : {};
  if (!res.ok) return refused('Could not start the subscription', res, body);
  sessionStorage.setItem('consent:' + body.id, body.secret);
  show('Subscription: started. Going to your bank…');
  location.assign(body.authorizeUrl);
});
const pounds = (pence) => '£' + (pence / 100).toFixed(2);
// A VRP consent in use: its status and payments from GET /recurring-payments/:id; pay and cancel through the backend.
async function showSubscription(id, secret, last) {
  const r = await fetch(proxy + '/recurring-payments/' + encodeURIComponent(id), { headers: { 'x-session-secret': secret } });
  const v = await r.json().catch(() => ({}));
  if (!r.ok) return refused('Could not read subscription ' + id, r, v);
  const lines = ['Subscription: ' + v.status + ' (up to £5 a month)'];
  if (v.consent) lines.push('Moneyhub: ' + v.consent.status);
  const payments = v.payments || [];
  lines.push('Payments: ' + (payments.length ? payments.map((p) => pounds(p.amount) + ' ' + p.status).join(', ') : 'none yet'));
  if (v.status === 'revoked') lines.push('Cancelled: nothing more can be paid under it; Subscribe sets up a new one.');
  if (last) lines.push('', last);
  show(lines.join('\\n'));
  document.body.dataset.subscription = v.status;
  document.body.dataset.vrpPayments = String(payments.length);
  // Pay and Cancel only while the consent can pay: after Cancel (revoked) there is nothing to pay under.
  document.getElementById('subscription').hidden = v.status !== 'authorised';
}
async function subscriptionAction(path, what) {
  const id = document.body.dataset.consent;
  const secret = sessionStorage.getItem('consent:' + id);
  const res = await fetch(path + (path.includes('?') ? '&' : '?') + 'session=' + encodeURIComponent(id), { method: 'POST' })
    .catch((error) => ({ ok: false, status: 0, error }));
  const body = res.json ? await res.json().catch(() => ({})) : {};
  const outcome = res.status === 201 ? what + ': paid (payment ' + body.paymentId + ')'
    : res.status === 202 ? what + ': confirming (' + body.reason + '); money may have moved'
    : res.ok ? what + ': done'
    : what + ': refused, ' + res.status + ' ' + (body.error || '') + (body.message ? ' (' + body.message + ')' : '');
  await showSubscription(id, secret, outcome);
  // Set once the page shows the outcome: what a reader (or the browser test) waits for.
  document.body.dataset.vrpLast = res.status === 201 ? 'paid' : res.ok ? 'done' : 'refused:' + (body.error || res.status);
}
for (const [button, amount] of [['pay-vrp', 100], ['pay-vrp-more', 450]]) {
  document.getElementById(button).addEventListener('click', () =>
    subscriptionAction('/__demo/subscription/pay?amount=' + amount + '&attempt=' + crypto.randomUUID(), 'Pay ' + pounds(amount)));
}
document.getElementById('cancel').addEventListener('click', () => subscriptionAction('/__demo/subscription/cancel', 'Cancel'));
const params = new URLSearchParams(location.search);
const id = params.get('session');
const paymentSecret = id && sessionStorage.getItem('payment:' + id);
const secret = id && sessionStorage.getItem('secret:' + id);
const consentSecret = id && sessionStorage.getItem('consent:' + id);
// Back from paying: follow GET /payments/:id until Moneyhub says the payment is final.
async function followPayment(id, secret) {
  const seen = [];
  const statuses = [sessionStorage.getItem('payment-seen:' + id)].filter(Boolean);
  for (let poll = 0; poll < 30; poll++) {
    const r = await fetch(proxy + '/payments/' + encodeURIComponent(id), { headers: { 'x-session-secret': secret } });
    const p = await r.json().catch(() => ({}));
    if (!r.ok) return refused('Could not read payment ' + id, r, p);
    const record = p.payment && p.payment.status;
    if (record && seen[seen.length - 1] !== record) seen.push(record);
    if (statuses[statuses.length - 1] !== p.status) statuses.push(p.status);
    const lines = ['Payment: ' + statuses.join(' → '), 'Amount: £1.50'];
    if (p.paymentId) lines.push('Payment id: ' + p.paymentId);
    if (seen.length) lines.push('Moneyhub: ' + seen.join(' → '));
    if (p.error) lines.push('Error: ' + p.error + (p.errorDescription ? ' (' + p.errorDescription + ')' : ''));
    show(lines.join('\\n'));
    document.body.dataset.payment = p.status;
    if (record) document.body.dataset.moneyhub = record;
    if (p.status !== 'authorised' && p.status !== 'pending') return;
    if (record && record !== 'inProgress' && record !== 'pending') return;
    await new Promise((r) => setTimeout(r, 1000));
  }
}
if (id && consentSecret) {
  document.body.dataset.consent = id;
  showSubscription(id, consentSecret);
} else if (id && paymentSecret) followPayment(id, paymentSecret);
else if (id && !secret) show('Session ' + id + ' was not started in this tab: ignored.');
else if (id) {
  show('Checking session ' + id + '…');
  fetch(proxy + '/sessions/' + encodeURIComponent(id), { headers: { 'x-session-secret': secret } }).then(async (r) => {
    const s = await r.json().catch(() => ({}));
    if (!r.ok) return refused('Could not read session ' + id, r, s);
    const lines = ['Status: ' + s.status];
    // Chosen at Moneyhub: the bank is the first part of the connection id (<bankId>:<connection>).
    await banksLoaded;
    const bankId = s.bankId || (s.connectionId ? s.connectionId.split(':')[0] : '');
    const named = bankNames[bankId] ? bankNames[bankId] + ' (' + bankId + ')' : bankId;
    if (bankId) lines.push('Bank: ' + named + (s.bankId ? '' : ' (chosen at Moneyhub)'));
    if (s.connectionId) lines.push('Connection: ' + s.connectionId);
    if (s.userId) lines.push('User: ' + s.userId);
    if (s.expiresAt && s.status === 'connected') lines.push('Expires: ' + new Date(s.expiresAt * 1000).toISOString());
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
  }, (error) => unreachable('Could not read session ' + id, error));
}`
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>Demo app: connect a bank</title>
        <link rel="icon" href="/favicon.ico" type="image/svg+xml" />
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
        <button id="pay">Pay £1.50</button>
        <button id="subscribe">Subscribe: up to £5 a month</button>
        <p id="subscription" hidden>
          <button id="pay-vrp">Pay £1 now</button>
          <button id="pay-vrp-more">Pay £4.50</button>
          <button id="cancel">Cancel</button>
        </p>
        <pre id="status">Not connected yet.</pre>
        <script>
          ${raw(script)}
        </script>
      </body>
    </html>`
}

/** The demo origin's icon (browsers ask for /favicon.ico on every page). */
export const DEMO_FAVICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#15803d"/><path d="M4 8h8" stroke="#fff" stroke-width="2"/></svg>'
