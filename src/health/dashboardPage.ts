/**
 * GET /dashboard: one HTML page, its style and script inline under a per-request
 * nonce (nothing else may load or run). The script asks for the backend key
 * once, keeps it in sessionStorage (this tab only, never a URL), polls
 * GET /banks/health every 15 s, and draws each bank as a card: its mark, the
 * funnel, the errors of 24 h and a 24-hour chart, in inline SVG.
 */
import { html, raw } from 'hono/html'

export const dashboardCsp = (nonce: string) =>
  `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; img-src 'self'; ` +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

const STYLE = `
:root{--ok:#15803d;--degraded:#b45309;--failing:#b91c1c;--none:#6b7280;--ink:#111827;--muted:#6b7280;--line:#e5e7eb;--bg:#f8fafc}
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
header{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:baseline;justify-content:space-between;padding:1rem max(1.25rem,calc((100% - 1200px)/2 + 1.25rem));background:#fff;border-bottom:1px solid var(--line)}
h1{font-size:1.25rem;margin:0}#state{color:var(--muted);font-size:.85rem}main{padding:1rem 1.25rem;max-width:1200px;margin:0 auto}
form{background:#fff;border:1px solid var(--line);border-radius:10px;padding:1rem;max-width:28rem}label{display:block;font-weight:600;margin-bottom:.4rem}
input{width:100%;padding:.55rem .6rem;font:inherit;border:1px solid #cbd5e1;border-radius:6px}button{margin-top:.6rem;padding:.5rem 1rem;font:inherit;border:0;border-radius:6px;background:#1d4ed8;color:#fff}
#totals{display:flex;flex-wrap:wrap;gap:.5rem;margin:0 0 1rem}.pill{background:#fff;border:1px solid var(--line);border-radius:999px;padding:.2rem .75rem;font-size:.85rem}
#banks{display:grid;grid-template-columns:repeat(auto-fill,minmax(330px,1fr));gap:1rem}
.card{background:#fff;border:1px solid var(--line);border-left:6px solid var(--none);border-radius:10px;padding:.9rem 1rem}
.card.ok{border-left-color:var(--ok)}.card.degraded{border-left-color:var(--degraded)}.card.failing{border-left-color:var(--failing)}
.top{display:flex;justify-content:space-between;align-items:center;gap:.5rem}.name{font-weight:650;overflow-wrap:anywhere}.id{color:var(--muted);font-size:.75rem;overflow-wrap:anywhere}
.mark{font-size:.8rem;font-weight:700;color:#fff;background:var(--none);border-radius:999px;padding:.15rem .6rem;white-space:nowrap}
.mark.ok{background:var(--ok)}.mark.degraded{background:var(--degraded)}.mark.failing{background:var(--failing)}
.stats{display:grid;grid-template-columns:repeat(3,1fr);gap:.25rem;margin:.6rem 0;font-size:.8rem;color:var(--muted)}.stats b{display:block;font-size:1.05rem;color:var(--ink)}
h3{font-size:.75rem;text-transform:uppercase;letter-spacing:.05em;color:var(--muted);margin:.7rem 0 .3rem}svg{display:block;width:100%;height:auto}
svg text{font:11px system-ui,sans-serif;fill:#374151}.errors{margin:0;padding:0;list-style:none;font-size:.85rem}.errors li{display:flex;justify-content:space-between;border-bottom:1px dotted var(--line);padding:.1rem 0}
.empty{color:var(--muted);font-size:.85rem}footer{color:var(--muted);font-size:.8rem;padding:1rem 1.25rem;max-width:1200px;margin:0 auto}
`

/** Plain ES2020, no template literals (it lives in one). */
const SCRIPT = `
'use strict';
var KEY = 'bank-health-key', EVERY_MS = 15000, names = {}, timer;
var $ = function (id) { return document.getElementById(id); };
var NS = 'http://www.w3.org/2000/svg';
function el(tag, attrs, text) {
  var e = /^(svg|rect|text|line|g)$/.test(tag) ? document.createElementNS(NS, tag) : document.createElement(tag);
  for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
  if (text !== undefined) e.textContent = text;
  return e;
}
function pct(x) { return x === null ? '–' : Math.round(x * 100) + '%'; }
function ms(x) { return x === null ? '–' : x < 1000 ? x + ' ms' : (x / 1000).toFixed(x < 10000 ? 1 : 0) + ' s'; }
function ago(s) {
  if (!s) return 'never';
  var d = Math.max(0, Date.now() / 1000 - s);
  return d < 90 ? Math.round(d) + ' s ago' : d < 5400 ? Math.round(d / 60) + ' min ago' : Math.round(d / 3600) + ' h ago';
}
function askKey(message) {
  clearTimeout(timer);
  $('key-form').hidden = false;
  $('banks').replaceChildren();
  $('totals').replaceChildren();
  $('state').textContent = message;
  $('key').focus();
}
function funnel(w) {
  var rows = [['Started', w.started, '#94a3b8'], ['Link opened', w.opened, '#60a5fa'], ['Returned', w.returned, '#818cf8'], ['Succeeded', w.connected + w.authorised, '#16a34a']];
  var max = Math.max(1, rows[0][1], rows[1][1]), svg = el('svg', { viewBox: '0 0 320 ' + rows.length * 22, role: 'img', 'aria-label': 'funnel over 24 hours' });
  rows.forEach(function (r, i) {
    var y = i * 22, w2 = Math.max(2, Math.round((r[1] / max) * 190));
    svg.append(el('text', { x: 0, y: y + 14 }, r[0]), el('rect', { x: 88, y: y + 3, width: w2, height: 15, rx: 3, fill: r[2] }), el('text', { x: 92 + w2, y: y + 14 }, String(r[1])));
  });
  return svg;
}
function hours(list) {
  var max = Math.max(1, Math.max.apply(null, list.map(function (h) { return h.successes + h.failed + h.lapsed; })));
  var svg = el('svg', { viewBox: '0 0 320 78', role: 'img', 'aria-label': 'outcomes per hour, last 24 hours' });
  svg.append(el('line', { x1: 0, y1: 60.5, x2: 320, y2: 60.5, stroke: '#e5e7eb' }));
  list.forEach(function (h, i) {
    var x = i * (320 / 24) + 1, y = 60, parts = [[h.successes, '#16a34a'], [h.failed, '#dc2626'], [h.lapsed, '#9ca3af']];
    parts.forEach(function (p) {
      if (!p[0]) return;
      var hgt = Math.max(1.5, (p[0] / max) * 56);
      y -= hgt;
      svg.append(el('rect', { x: x, y: y, width: 320 / 24 - 2, height: hgt, fill: p[1] }));
    });
  });
  svg.append(el('text', { x: 0, y: 74 }, '24 h ago'), el('text', { x: 320, y: 74, 'text-anchor': 'end' }, 'now'));
  return svg;
}
function card(b) {
  var mark = b.mark || 'none', c = el('section', { class: 'card ' + mark, 'data-bank': b.bank, 'data-mark': mark });
  var who = el('div');
  who.append(el('div', { class: 'name' }, b.group ? 'Chosen at Moneyhub (id:' + b.bank + ')' : names[b.bank] || b.bank), el('div', { class: 'id' }, b.group ? 'group selector' : b.bank));
  var top = el('div', { class: 'top' });
  top.append(who, el('span', { class: 'mark ' + mark }, b.mark || (b.group ? 'group' : 'too few')));
  var h = b.lastHour, d = b.last24h, stats = el('div', { class: 'stats' });
  [['success, 1 h', pct(h.successRate) + ' of ' + h.attempts], ['success, 24 h', pct(d.successRate) + ' of ' + d.attempts], ['last success', ago(b.lastSuccessAt)],
   ['median return', ms(d.medianReturnMs)], ['p95 return', ms(d.p95ReturnMs)], ['lapsed, 24 h', String(d.lapsed)]].forEach(function (s) {
    var cell = el('div', {}, s[0]);
    cell.prepend(el('b', {}, s[1]));
    stats.append(cell);
  });
  var errors = el('ul', { class: 'errors' });
  Object.entries(d.errors).sort(function (a, b) { return b[1] - a[1]; }).forEach(function (e) {
    var li = el('li');
    li.append(el('code', {}, e[0]), el('span', {}, String(e[1])));
    errors.append(li);
  });
  c.append(top, stats, el('h3', {}, 'Funnel, 24 h'), funnel(d), el('h3', {}, 'Per hour: success, failed, lapsed'), hours(b.hours), el('h3', {}, 'Errors, 24 h'));
  c.append(errors.childElementCount ? errors : el('p', { class: 'empty' }, 'No errors.'));
  return c;
}
function render(report) {
  var order = { failing: 0, degraded: 1, ok: 2 };
  var banks = report.banks.slice().sort(function (a, b) { return (order[a.mark] ?? 3) - (order[b.mark] ?? 3) || b.last24h.attempts - a.last24h.attempts; });
  var count = { ok: 0, degraded: 0, failing: 0 };
  banks.forEach(function (b) { if (b.mark) count[b.mark]++; });
  $('totals').replaceChildren(el('span', { class: 'pill' }, banks.length + ' banks active in 24 h'), el('span', { class: 'pill' }, count.failing + ' failing'), el('span', { class: 'pill' }, count.degraded + ' degraded'), el('span', { class: 'pill' }, count.ok + ' ok'));
  $('banks').replaceChildren.apply($('banks'), banks.length ? banks.map(card) : [el('p', { class: 'empty' }, 'No sessions in the last 24 hours.')]);
  $('state').textContent = 'Updated ' + new Date(report.generatedAt * 1000).toLocaleTimeString() + ' · every 15 s';
  document.body.dataset.loaded = 'true';
}
function poll() {
  var key = sessionStorage.getItem(KEY);
  if (!key) return askKey('Enter the backend key to see the banks.');
  fetch('/banks/health', { headers: { authorization: 'Bearer ' + key }, cache: 'no-store' }).then(function (r) {
    if (r.status === 401) { sessionStorage.removeItem(KEY); return askKey('That key was refused. Enter the backend key.'); }
    if (!r.ok) throw new Error('GET /banks/health answered ' + r.status);
    return r.json().then(function (report) { $('key-form').hidden = true; render(report); timer = setTimeout(poll, EVERY_MS); });
  }).catch(function (e) { $('state').textContent = e.message + '; retrying'; timer = setTimeout(poll, EVERY_MS); });
}
$('key-form').addEventListener('submit', function (event) {
  event.preventDefault();
  sessionStorage.setItem(KEY, $('key').value.trim());
  $('key').value = '';
  poll();
});
fetch('/banks').then(function (r) { return r.ok ? r.json() : []; }).then(function (list) { list.forEach(function (b) { names[b.id] = b.name; }); }).catch(function () {}).finally(poll);
`

export function dashboardPage(nonce: string) {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>Bank health</title>
        <style nonce="${nonce}">
          ${raw(STYLE)}
        </style>
      </head>
      <body>
        <header>
          <h1>Bank health</h1>
          <span id="state" role="status">Loading…</span>
        </header>
        <main>
          <form id="key-form" hidden autocomplete="off">
            <label for="key">Backend key</label>
            <input id="key" type="password" required />
            <button type="submit">Show the banks</button>
            <p class="empty">Kept in this tab only (sessionStorage), sent as a bearer header.</p>
          </form>
          <div id="totals"></div>
          <div id="banks"></div>
        </main>
        <footer>Counts per bank from this Worker's sessions: last hour and last 24 h. docs/bank-health.md says what each means.</footer>
        <script nonce="${nonce}">
          ${raw(SCRIPT)}
        </script>
      </body>
    </html>`
}
