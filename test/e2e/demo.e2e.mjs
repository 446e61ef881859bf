#!/usr/bin/env node
/**
 * The demo, driven in real headless Chromium (Debian's chromium, through
 * playwright-core) against `wrangler dev` running the proxy and the mock
 * identity server: connect with approval, then with denial. A screenshot of
 * each step lands in test-results/e2e/ (git-ignored).
 */
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { freePort, freshConfig, startServers } from '../../scripts/lib/servers.mjs'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
if (!existsSync(CHROMIUM)) {
  const message = `browser test: ${CHROMIUM} is missing (apt-get install chromium; .ci/run does it)`
  if (process.env.CI) {
    console.error(`✖ ${message}`)
    process.exit(1)
  }
  console.warn(`⚠ skipped ${message}`)
  process.exit(0)
}

const shots = 'test-results/e2e'
mkdirSync(shots, { recursive: true })
const [proxyPort, mockPort] = [await freePort(), await freePort()]
const proxyOrigin = `http://127.0.0.1:${proxyPort}`
const mockOrigin = `http://127.0.0.1:${mockPort}`
const { proxyVars, mockVars } = await freshConfig({ proxyOrigin, mockOrigin })
const output = []
const servers = await startServers({
  proxyPort,
  mockPort,
  proxyVars,
  mockVars,
  persistTo: mkdtempSync(join(tmpdir(), 'e2e-state-')),
  onLine: (name, line) => output.push(`[${name}] ${line}`),
})

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  // As root, and with no network beyond loopback: no sandbox, no background traffic.
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
})

let failed = false
const check = (ok, what) => {
  console.log(`${ok ? '✓' : '✖'} ${what}`)
  if (!ok) failed = true
}

async function connect(decision) {
  const context = await browser.newContext()
  const page = await context.newPage()
  await page.goto(`${mockOrigin}/`)
  await page.screenshot({ path: `${shots}/${decision}-1-demo.png` })
  await page.selectOption('#bank', { label: 'Moneyhub Open Banking Mock' })
  await Promise.all([page.waitForURL(`${mockOrigin}/oidc/auth?**`), page.click('#connect')])
  await page.screenshot({ path: `${shots}/${decision}-2-consent.png` })
  check((await page.textContent('h1'))?.includes('Mock Moneyhub'), `${decision}: the mock identity server asks for consent`)
  await Promise.all([page.waitForURL(`${mockOrigin}/?session=*`), page.click(decision === 'approve' ? '#approve' : '#deny')])
  const expected = decision === 'approve' ? 'connected' : 'failed'
  await page.waitForSelector(`body[data-status="${expected}"]`, { timeout: 15_000 })
  await page.screenshot({ path: `${shots}/${decision}-3-result.png` })
  const text = (await page.textContent('#status')) ?? ''
  check(text.includes(`Status: ${expected}`), `${decision}: the demo shows status ${expected}`)
  if (decision === 'approve') {
    check(/Bank: 1ffe704d39629a929c8e293880fb449a/.test(text), 'approve: shows the bank')
    check(/Connection: 1ffe704d39629a929c8e293880fb449a:/.test(text), 'approve: shows the connection id')
    check(/Expires: \d{4}-/.test(text), 'approve: shows the expiry')
    await page.waitForSelector('body[data-accounts]', { timeout: 15_000 })
    const withAccounts = (await page.textContent('#status')) ?? ''
    check(/Accounts:\n  Current Account/.test(withAccounts), 'approve: shows the accounts its backend read with the access token')
  } else {
    check(/Error: access_denied/.test(text), 'deny: shows the reason')
  }
  check(!/eyJ/.test(await page.content()), `${decision}: no token anywhere on the page`)
  await context.close()
}

try {
  await connect('approve')
  await connect('deny')
} catch (error) {
  failed = true
  console.error(error)
  console.error(output.slice(-30).join('\n'))
} finally {
  await browser.close()
  await servers.stop()
}
console.log(failed ? '✖ browser test failed' : `✓ browser test passed; screenshots in ${shots}/`)
process.exit(failed ? 1 : 0)
