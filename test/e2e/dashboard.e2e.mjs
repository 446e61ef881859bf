#!/usr/bin/env node
/**
 * The bank health dashboard (GET /dashboard) in real headless Chromium
 * (Debian's chromium, through playwright-core), against the proxy and the mock
 * identity server under `wrangler dev`. Real flows at the mock move one bank
 * from ok to degraded to failing (a second bank stays ok); the page asks for
 * the backend key once, keeps it across reloads (sessionStorage) and never
 * puts it in a URL. A screenshot of each state, on a laptop and on a phone,
 * lands in test-results/e2e/ (git-ignored).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, freshConfig, startServers } from '../../scripts/lib/servers.mjs'
import { launchChromium } from './chromium.mjs'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
if (!existsSync(CHROMIUM)) {
  const message = `dashboard browser test: ${CHROMIUM} is missing (apt-get install chromium)`
  if (process.env.CI) {
    console.error(`✖ ${message}`)
    process.exit(1)
  }
  console.warn(`⚠ skipped ${message}`)
  process.exit(0)
}

const shots = 'test-results/e2e'
mkdirSync(shots, { recursive: true })

/** Two banks of the mock's published list: one that goes wrong, one that stays well. */
const TROUBLED = { id: '5233db2a04fe41dd01d3308ea92e8bd7' }
const STEADY = { id: '1ffe704d39629a929c8e293880fb449a' }

const [proxyPort, mockPort] = [await freePort(), await freePort()]
const proxyOrigin = `http://127.0.0.1:${proxyPort}`
const mockOrigin = `http://127.0.0.1:${mockPort}`
const { proxyVars, mockVars } = await freshConfig({ proxyOrigin, mockOrigin })
const backend = { authorization: `Bearer ${proxyVars.BACKEND_API_KEY}` }
// GET /banks/health and the dashboard take the read-only health key, never the backend key.
const healthKey = { authorization: `Bearer ${proxyVars.HEALTH_API_KEY}` }
const log = []
const state = mkdtempSync(join(tmpdir(), 'dashboard-e2e-'))
process.on('exit', () => rmSync(state, { recursive: true, force: true }))
const servers = await startServers({
  proxyPort,
  mockPort,
  proxyVars,
  mockVars,
  persistTo: state,
  onLine: (name, line) => log.push(`[${name}] ${line}`),
}).catch((error) => {
  // What the servers said is the only clue to a start that failed.
  console.error(`✖ the servers did not start: ${error.message}\n${log.slice(-40).join('\n')}`)
  process.exit(1)
})
// Stopped from outside (Ctrl-C, a CI timeout): the servers' process groups stop too.
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => servers.stop().then(() => process.exit(130)))

let failed = false
const check = (ok, what) => {
  console.log(`${ok ? '✓' : '✖'} ${what}`)
  if (!ok) failed = true
}

/** One whole flow over HTTP, as a browser would: start (backend), open the link, decide at the mock, come back. */
async function flow(bankId, decision) {
  const start = await fetch(`${proxyOrigin}/sessions`, {
    method: 'POST',
    headers: { ...backend, 'content-type': 'application/json' },
    body: JSON.stringify({ bankId }),
  })
  const { authorizeUrl } = await start.json()
  const launch = await fetch(authorizeUrl, { redirect: 'manual' })
  const cookie = launch.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')
  const consent = new URL(launch.headers.get('location'))
  consent.searchParams.set('decision', decision)
  const back = await fetch(consent, { redirect: 'manual' })
  const done = await fetch(back.headers.get('location'), { redirect: 'manual', headers: { cookie } })
  await done.arrayBuffer()
}

/** Waits until GET /banks/health shows `attempts` for the bank (counting is off the user's path). */
async function counted(bankId, attempts) {
  for (let i = 0; i < 200; i++) {
    const report = await (await fetch(`${proxyOrigin}/banks/health`, { headers: healthKey })).json()
    if (report.banks.find((b) => b.bank === bankId)?.lastHour.attempts === attempts) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${bankId} did not reach ${attempts} attempts`)
}

async function outcomes(bank, approved, denied) {
  for (let i = 0; i < approved; i++) await flow(bank.id, 'approve')
  for (let i = 0; i < denied; i++) await flow(bank.id, 'deny')
  bank.attempts = (bank.attempts ?? 0) + approved + denied
  await counted(bank.id, bank.attempts)
}

const browser = await launchChromium(CHROMIUM)

try {
  const requested = []
  const errors = []
  const laptop = await browser.newContext({ viewport: { width: 1280, height: 860 } })
  const page = await laptop.newPage()
  page.on('request', (r) => requested.push(r.url()))
  // The wrong key's 401 is expected; nothing else may go wrong.
  page.on('console', (m) => m.type() === 'error' && !/401/.test(m.text()) && errors.push(m.text()))
  page.on('pageerror', (e) => errors.push(e.message))

  await page.goto(`${proxyOrigin}/dashboard`)
  await page.waitForSelector('#key-form:not([hidden])')
  check(true, 'dashboard: asks for the health key')
  await page.fill('#key', proxyVars.BACKEND_API_KEY) // the backend key is refused there
  await page.click('button[type=submit]')
  await page.waitForFunction(() => /refused/.test(document.getElementById('state').textContent))
  check(await page.isVisible('#key-form'), 'dashboard: the backend key is refused and the health key asked for again')
  await page.screenshot({ path: `${shots}/dashboard-0-key.png` })

  await outcomes(STEADY, 6, 0)
  await outcomes(TROUBLED, 5, 0)
  await page.fill('#key', proxyVars.HEALTH_API_KEY)
  await page.click('button[type=submit]')
  const markOf = (bank) => page.getAttribute(`[data-bank="${bank.id}"]`, 'data-mark')
  await page.waitForSelector(`[data-bank="${TROUBLED.id}"][data-mark="ok"]`)
  check((await markOf(TROUBLED)) === 'ok' && (await markOf(STEADY)) === 'ok', 'dashboard: both banks ok (5 and 6 successes)')
  await page.screenshot({ path: `${shots}/dashboard-1-ok.png`, fullPage: true })

  await outcomes(TROUBLED, 0, 2) // 5 of 7
  await page.reload()
  await page.waitForSelector(`[data-bank="${TROUBLED.id}"][data-mark="degraded"]`)
  check(true, 'dashboard: after a reload, the key is still there (sessionStorage), and the bank is degraded at 5 of 7')
  await page.screenshot({ path: `${shots}/dashboard-2-degraded.png`, fullPage: true })

  await outcomes(TROUBLED, 0, 4) // 5 of 11
  await page.reload()
  await page.waitForSelector(`[data-bank="${TROUBLED.id}"][data-mark="failing"]`)
  const first = await page.getAttribute('#banks > section:first-child', 'data-bank')
  check(first === TROUBLED.id, 'dashboard: failing at 5 of 11, and shown first')
  check(
    ((await page.textContent(`[data-bank="${TROUBLED.id}"]`)) ?? '').includes('access_denied'),
    'dashboard: the error breakdown names access_denied',
  )
  await page.screenshot({ path: `${shots}/dashboard-3-failing.png`, fullPage: true })

  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true })
  const small = await phone.newPage()
  await small.goto(`${proxyOrigin}/dashboard`)
  await small.fill('#key', proxyVars.HEALTH_API_KEY)
  await small.click('button[type=submit]')
  await small.waitForSelector(`[data-bank="${TROUBLED.id}"][data-mark="failing"]`)
  const overflow = await small.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
  check(overflow <= 0, `dashboard on a phone: no sideways scrolling (${overflow} px)`)
  await small.screenshot({ path: `${shots}/dashboard-4-phone-failing.png`, fullPage: true })

  check(
    !requested.some((url) => url.includes(proxyVars.HEALTH_API_KEY) || url.includes(proxyVars.BACKEND_API_KEY)),
    'dashboard: no key ever appears in a URL',
  )
  check(errors.length === 0, `dashboard: no errors in the console${errors.length ? `: ${errors.join(' | ')}` : ''}`)
  await laptop.close()
  await phone.close()
} catch (error) {
  console.error(error)
  console.error(log.slice(-40).join('\n'))
  failed = true
} finally {
  await browser.close()
  await servers.stop()
}
if (failed) {
  console.error('✖ dashboard browser test failed')
  process.exit(1)
}
console.log(`✔ dashboard browser test passed (screenshots in ${shots}/)`)
