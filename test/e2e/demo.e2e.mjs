#!/usr/bin/env node
/**
 * The demo, driven in real headless Chromium (Debian's chromium, through
 * playwright-core) against `npm run dev` itself (scripts/dev.mjs, the proxy and
 * the mock identity server under `wrangler dev`), started on other ports than
 * the defaults over an old .dev.vars made for the defaults: the settings that
 * follow from the ports must be derived again. Then: connect with approval,
 * with denial, through "Let me choose at Moneyhub", from an app page that loads
 * the helper from the proxy (GET /client.js), with the proxy unreachable, and
 * "Pay £1.50": to the mock bank and back, the payment's status changing, and
 * "Subscribe: up to £5 a month": a VRP consent, two payments under it, a
 * refusal over the monthly limit, "Cancel", and a refusal after it.
 * A screenshot of each step lands in test-results/e2e/ (git-ignored).
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { exampleWithKeys, freePort, portFree } from '../../scripts/lib/servers.mjs'
import { scratchProject, startDev } from '../node/lib/scratchProject.mjs'
import { launchChromium } from './chromium.mjs'

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
if (!existsSync(CHROMIUM)) {
  const what = process.env.CHROMIUM_PATH ? `CHROMIUM_PATH=${CHROMIUM} does not exist` : `${CHROMIUM} is missing`
  const how = [
    "  To run it: install Debian's Chromium (sudo apt-get install chromium; .ci/run does it), or point CHROMIUM_PATH at",
    '  any Chromium or Chrome binary, no root needed: CHROMIUM_PATH=/path/to/chrome npm run test:browser',
    '  (docs/local-development.md, "The browser test").',
  ].join('\n')
  // CI installs Chromium: there a missing browser is a failure, never a skip.
  if (process.env.CI) {
    console.error(`✖ browser test: ${what}; under CI it must run.\n${how}`)
    process.exit(1)
  }
  console.warn(`\n⚠ browser test SKIPPED: ${what}. npm test passes without it; CI fails.\n${how}\n`)
  process.exit(0)
}

const shots = 'test-results/e2e'
mkdirSync(shots, { recursive: true })

const oldDevVars = await exampleWithKeys(readFileSync('.dev.vars.example', 'utf8'))

// The ports the issue names, when free.
const [proxyPort, mockPort] = (await portFree(8901)) && (await portFree(8902)) ? [8901, 8902] : [await freePort(), await freePort()]
const proxyOrigin = `http://127.0.0.1:${proxyPort}`
const mockOrigin = `http://127.0.0.1:${mockPort}`
// An old .dev.vars, made for the default ports 8787 / 8788, with its keys.
const project = scratchProject(oldDevVars)
let dev
try {
  dev = await startDev(project, { env: { PROXY_PORT: String(proxyPort), MOCK_PORT: String(mockPort) } })
} catch (error) {
  console.error(error.message)
  console.error('✖ npm run dev did not get ready')
  rmSync(project, { recursive: true, force: true })
  process.exit(1)
}
const { output, stop: stopDev } = dev
// Stopped from outside (Ctrl-C, a CI timeout): npm run dev and its servers stop too.
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => stopDev().then(() => process.exit(130)))

const browser = await launchChromium(CHROMIUM)

let failed = false

const check = (ok, what) => {
  console.log(`${ok ? '✓' : '✖'} ${what}`)
  if (!ok) failed = true
}

const said = output.join('\n')
check(
  said.includes(`MONEYHUB_ISSUER: http://127.0.0.1:8788/oidc → ${mockOrigin}/oidc`) &&
    said.includes(`MONEYHUB_REDIRECT_URI: http://127.0.0.1:8787/callback → ${proxyOrigin}/callback`) &&
    said.includes('ALLOWED_ORIGINS: http://127.0.0.1:8788,http://localhost:8788 → '),
  'npm run dev on other ports: says which port-dependent settings it derived again',
)
const typesWarnings = output.filter((l) => /types might be out of date/.test(l))
check(
  typesWarnings.length === 0,
  `npm run dev: no "types might be out of date"${typesWarnings.length ? `: ${typesWarnings.join(' | ')}` : ''}`,
)
const kept = (file) => readFileSync(file, 'utf8').match(/^CLIENT_PRIVATE_JWKS=.*$/m)?.[0]
check(
  kept(join(project, '.dev.vars')) === oldDevVars.match(/^CLIENT_PRIVATE_JWKS=.*$/m)?.[0],
  'npm run dev on other ports: the keys are kept',
)

async function newPage() {
  const context = await browser.newContext()
  const page = await context.newPage()
  const missing = []
  page.on('response', (response) => response.status() === 404 && missing.push(response.url()))
  return { context, page, missing }
}

async function connect(decision, { bank = 'Moneyhub Open Banking Mock', name = decision } = {}) {
  const { context, page, missing } = await newPage()
  await page.goto(`${mockOrigin}/`)
  await page.screenshot({ path: `${shots}/${name}-1-demo.png` })
  await page.selectOption('#bank', { label: bank })
  await Promise.all([page.waitForURL(`${mockOrigin}/oidc/auth?**`), page.click('#connect')])
  await page.screenshot({ path: `${shots}/${name}-2-consent.png` })
  check((await page.textContent('h1'))?.includes('Mock Moneyhub'), `${name}: the mock identity server asks for consent`)
  check((await page.textContent('#bank')) === 'Moneyhub Open Banking Mock', `${name}: the consent page names the bank`)
  check((await page.textContent('#approve')) === 'Approve' && (await page.textContent('#deny')) === 'Deny', `${name}: Approve / Deny`)
  await Promise.all([page.waitForURL(`${mockOrigin}/?session=*`), page.click(decision === 'approve' ? '#approve' : '#deny')])
  const expected = decision === 'approve' ? 'connected' : 'failed'
  await page.waitForSelector(`body[data-status="${expected}"]`, { timeout: 15_000 })
  await page.screenshot({ path: `${shots}/${name}-3-result.png` })
  const text = (await page.textContent('#status')) ?? ''
  check(text.includes(`Status: ${expected}`), `${name}: the demo shows status ${expected}`)
  if (decision === 'approve') {
    check(/Bank: Moneyhub Open Banking Mock \(1ffe704d39629a929c8e293880fb449a\)/.test(text), `${name}: shows the bank's name`)
    check(/Connection: 1ffe704d39629a929c8e293880fb449a:/.test(text), `${name}: shows the connection id`)
    check(/Expires: \d{4}-/.test(text), `${name}: shows the expiry`)
    await page.waitForSelector('body[data-accounts]', { timeout: 15_000 })
    const withAccounts = (await page.textContent('#status')) ?? ''
    check(/Accounts:\n  Current Account/.test(withAccounts), `${name}: shows the accounts its backend read with the access token`)
  } else {
    check(/Error: access_denied/.test(text), `${name}: shows the reason`)
    check(!/Expires/.test(text), `${name}: no "Expires" line for a failed session`)
  }
  check(!/eyJ/.test(await page.content()), `${name}: no token anywhere on the page`)
  check(missing.length === 0, `${name}: no 404 (favicon included)${missing.length ? `: ${missing.join(', ')}` : ''}`)
  await context.close()
}

/** An app page that imports the helper from the proxy: GET /client.js, then connectBank() and waitForStatus(). */
async function connectFromAppPage() {
  const { context, page, missing } = await newPage()
  const scripts = []
  page.on('response', (response) => response.url().startsWith(`${proxyOrigin}/client.js`) && scripts.push(response.status()))
  await page.goto(`${mockOrigin}/app`)
  await page.waitForSelector('body[data-helper="loaded"]', { timeout: 15_000 })
  check(scripts.includes(200), 'app page: loads the helper from the proxy (GET /client.js)')
  await Promise.all([page.waitForURL(`${mockOrigin}/oidc/auth?**`), page.click('#connect')])
  await Promise.all([page.waitForURL(`${mockOrigin}/app?session=*`), page.click('#approve')])
  await page.waitForSelector('body[data-status="connected"]', { timeout: 15_000 })
  await page.screenshot({ path: `${shots}/app-page-result.png` })
  const text = (await page.textContent('#status')) ?? ''
  check(
    /Status: connected/.test(text) && /Connection: 1ffe704d39629a929c8e293880fb449a:/.test(text),
    'app page: the helper connects and reads the status',
  )
  check(missing.length === 0, 'app page: no 404')
  await context.close()
}

/** "Pay £1.50": the demo backend starts the payment, the user approves at the mock bank, the page follows the payment. */
async function pay() {
  const { context, page, missing } = await newPage()
  await page.goto(`${mockOrigin}/`)
  await Promise.all([page.waitForURL(`${mockOrigin}/oidc/auth?**`), page.click('#pay')])
  await page.screenshot({ path: `${shots}/pay-1-consent.png` })
  check(((await page.textContent('body')) ?? '').includes('£1.50'), 'pay: the mock bank shows the amount')
  await Promise.all([page.waitForURL(`${mockOrigin}/?session=*&status=authorised`), page.click('#approve')])
  await page.waitForSelector('body[data-payment="authorised"][data-moneyhub="completed"]', { timeout: 20_000 })
  await page.screenshot({ path: `${shots}/pay-2-completed.png` })
  const text = (await page.textContent('#status')) ?? ''
  check(
    /Payment: pending → authorised/.test(text) && /Payment id: \S+/.test(text),
    'pay: the demo shows the payment go from pending to authorised, with its id',
  )
  check(/Moneyhub: inProgress → completed/.test(text), "pay: the demo shows Moneyhub's record change from inProgress to completed")
  check(missing.length === 0, `pay: no 404${missing.length ? `: ${missing.join(', ')}` : ''}`)
  await context.close()
}

/** "Subscribe: up to £5 a month": the consent, two £1 payments, £4.50 refused over the limit, cancel, and £1 refused after it. */
async function subscribe() {
  const { context, page, missing } = await newPage()
  await page.goto(`${mockOrigin}/`)
  await Promise.all([page.waitForURL(`${mockOrigin}/oidc/auth?**`), page.click('#subscribe')])
  await page.screenshot({ path: `${shots}/vrp-1-consent.png` })
  check(((await page.textContent('#payment')) ?? '').includes('£5.00'), 'subscribe: the mock bank shows the most one payment may be')
  check(
    ((await page.textContent('#limits')) ?? '').includes('no more than £5.00 per calendar month'),
    'subscribe: the mock bank shows the monthly limit the button promises',
  )
  await Promise.all([page.waitForURL(`${mockOrigin}/?session=*&status=authorised`), page.click('#approve')])
  await page.waitForSelector('body[data-subscription="authorised"][data-vrp-payments="0"]', { timeout: 15_000 })
  const status = async () => (await page.textContent('#status')) ?? ''
  check(/Subscription: authorised \(up to £5 a month\)/.test(await status()), 'subscribe: the consent is authorised')
  await page.click('#pay-vrp')
  await page.waitForSelector('body[data-vrp-payments="1"]', { timeout: 15_000 })
  await page.click('#pay-vrp')
  await page.waitForSelector('body[data-vrp-payments="2"]', { timeout: 15_000 })
  await page.screenshot({ path: `${shots}/vrp-2-two-payments.png` })
  check(/Payments: £1\.00 made, £1\.00 made/.test(await status()), 'subscribe: two £1 payments made under the consent')
  await page.click('#pay-vrp-more')
  await page.waitForSelector('body[data-vrp-last="refused:recurring_payment_refused"]', { timeout: 15_000 })
  await page.screenshot({ path: `${shots}/vrp-3-over-the-limit.png` })
  check(
    /Pay £4\.50: refused, 422 recurring_payment_refused \(Moneyhub refused the payment: .*over its limit of 500\)/.test(await status()) &&
      /Payments: £1\.00 made, £1\.00 made$/m.test(await status()),
    'subscribe: £4.50 more is refused over the £5 monthly limit, with Moneyhub’s reason',
  )
  await page.click('#cancel')
  await page.waitForSelector('body[data-subscription="revoked"]', { timeout: 15_000 })
  await page.screenshot({ path: `${shots}/vrp-4-cancelled.png` })
  check(/Subscription: revoked/.test(await status()) && /Moneyhub: Revoked/.test(await status()), 'subscribe: cancel revokes the consent')
  // After Cancel nothing can be paid under the consent: no Pay (or Cancel) button. A pay after a revoke is refused
  // 410 consent_revoked: test/recurring-payments/recurring-payments-in-use.test.ts.
  check(
    (await page.isHidden('#pay-vrp')) && (await page.isHidden('#pay-vrp-more')) && (await page.isHidden('#cancel')),
    'subscribe: after cancel, no Pay or Cancel button',
  )
  check(
    /Cancelled: nothing more can be paid under it/.test(await status()),
    'subscribe: after cancel, the demo says nothing more can be paid',
  )
  check(missing.length === 0, `subscribe: no 404${missing.length ? `: ${missing.join(', ')}` : ''}`)
  await context.close()
}

/** The proxy unreachable (as a CORS refusal looks to the page): the demo says so and what to check, not "Starting…" forever. */
async function proxyUnreachable() {
  const { context, page } = await newPage()
  await page.route(`${proxyOrigin}/sessions`, (route) => route.abort('failed'))
  await page.goto(`${mockOrigin}/`)
  await page.click('#connect')
  await page.waitForSelector('body[data-status="error"]', { timeout: 15_000 })
  await page.screenshot({ path: `${shots}/unreachable.png` })
  const text = (await page.textContent('#status')) ?? ''
  check(
    /did not answer/.test(text) && text.includes('ALLOWED_ORIGINS') && text.includes(mockOrigin),
    'proxy unreachable: the demo shows the error and what to check',
  )
  await context.close()
}

try {
  await connect('approve')
  await connect('deny')
  await connect('approve', { bank: 'Let me choose at Moneyhub (id:test)', name: 'choose-at-moneyhub' })
  await connectFromAppPage()
  await pay()
  await subscribe()
  await proxyUnreachable()
} catch (error) {
  failed = true
  console.error(error)
  console.error(output.slice(-30).join('\n'))
} finally {
  await browser.close()
  await stopDev()
  rmSync(project, { recursive: true, force: true })
}
console.log(failed ? '✖ browser test failed' : `✓ browser test passed; screenshots in ${shots}/`)
process.exit(failed ? 1 : 0)
