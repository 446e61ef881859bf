/**
 * Debian's Chromium, driven through playwright-core, as both browser tests launch it: as root, and with no network
 * beyond loopback, so no sandbox and no background traffic. playwright-core is loaded only here, once a test has found
 * its browser (a missing one is said at once: test/node/browser-test-needs-chromium.test.mjs).
 */
export async function launchChromium(executablePath) {
  const { chromium } = await import('playwright-core')
  return chromium.launch({
    executablePath,
    headless: true,
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
}
