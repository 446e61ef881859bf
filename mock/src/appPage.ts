/**
 * An app page, for the browser test and `npm run dev` (/app): it loads the
 * browser helper from the proxy itself (`import … from '<proxy>/client.js'`),
 * the way docs/frontend.md tells an app to, and uses nothing else.
 */
import { html, raw } from 'hono/html'
import { MOCK_BANK_ID } from './oauth'

export function appPage(proxyOrigin: string) {
  const script = `
import { connectBank, sessionFromReturn, waitForStatus } from ${JSON.stringify(`${proxyOrigin}/client.js`)};
const baseUrl = ${JSON.stringify(proxyOrigin)};
const out = document.getElementById('status');
const show = (text) => { out.textContent = text; };
document.getElementById('connect').addEventListener('click', async () => {
  show('Starting…');
  try {
    await connectBank({ baseUrl, bankId: ${JSON.stringify(MOCK_BANK_ID)}, returnTo: location.origin + '/app' });
  } catch (error) {
    show('Could not start: ' + (error.code ?? '') + ' ' + error.message);
  }
});
const back = sessionFromReturn();
if (back) {
  show('Back with session ' + back.session + ' (' + back.status + '); checking…');
  const session = await waitForStatus(back.session, { baseUrl, timeoutSeconds: 10 });
  show(['Status: ' + session.status, session.connectionId ? 'Connection: ' + session.connectionId : '', session.error ? 'Error: ' + session.error : '']
    .filter(Boolean).join('\\n'));
  document.body.dataset.status = session.status;
}
document.body.dataset.helper = 'loaded';
`
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>App page: the helper from the proxy</title>
        <link rel="icon" href="/favicon.ico" type="image/svg+xml" />
      </head>
      <body>
        <h1>App page</h1>
        <p>Loads <code>${proxyOrigin}/client.js</code> and connects the mock bank with <code>connectBank()</code>.</p>
        <button id="connect">Connect</button>
        <pre id="status">Not connected yet.</pre>
        <script type="module">
          ${raw(script)}
        </script>
      </body>
    </html>`
}
