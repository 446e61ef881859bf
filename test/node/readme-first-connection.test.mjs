// The README's "Your own app, locally", steps 2 and 3, as written: the origin added to .dev.vars, the session started
// with the README's curl, approved at the mock, and the README's next commands read /accounts with the token they got.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { exampleWithKeys, freePort } from '../../scripts/lib/servers.mjs'
import { scratchProject, startDev } from './lib/scratchProject.mjs'

/** The sh blocks of the README's step 3, as written. */
function stepThreeBlocks() {
  const readme = readFileSync('README.md', 'utf8')
  const step = readme.slice(readme.indexOf('3. From your backend'), readme.indexOf('4. From your page instead'))
  const blocks = [...step.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1].replace(/^ {3}/gm, ''))
  assert.equal(blocks.length, 2, "README's step 3 has two sh blocks: the start, then reading data")
  return blocks
}

/** Runs a README block in bash in the project folder, on this test's ports. */
function sh(dir, script, ports) {
  const onPorts = script.replaceAll('127.0.0.1:8787', `127.0.0.1:${ports.proxy}`).replaceAll('127.0.0.1:8788', `127.0.0.1:${ports.mock}`)
  const result = spawnSync('bash', ['-euo', 'pipefail', '-c', onPorts], { cwd: dir, encoding: 'utf8' })
  assert.equal(result.status, 0, `${onPorts}\n${result.stdout}${result.stderr}`)
  return result.stdout
}

test("the README's first connection reads the user's accounts with the token it got", { timeout: 240_000 }, async () => {
  const [start, read] = stepThreeBlocks()
  // Step 2: the app's origin added to ALLOWED_ORIGINS in .dev.vars.
  const devVars = (await exampleWithKeys(readFileSync('.dev.vars.example', 'utf8'))).replace(
    /^ALLOWED_ORIGINS=(.*)$/m,
    (_, list) => `ALLOWED_ORIGINS=${list},http://127.0.0.1:9000`,
  )
  const dir = scratchProject(devVars)
  const ports = { proxy: await freePort(), mock: await freePort() }
  const dev = await startDev(dir, { env: { PROXY_PORT: String(ports.proxy), MOCK_PORT: String(ports.mock) } })
  try {
    const session = JSON.parse(sh(dir, start, ports))
    assert.ok(session.id && session.authorizeUrl, JSON.stringify(session))

    // The user opens the authorizeUrl and approves at the mock (as the browser test's buttons do).
    const launched = await fetch(session.authorizeUrl, { redirect: 'manual' })
    assert.equal(launched.status, 303, await launched.text())
    const cookie = launched.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ')
    const consent = new URL(launched.headers.get('location'))
    consent.searchParams.set('decision', 'approve')
    const approved = await fetch(consent, { redirect: 'manual' })
    assert.equal(approved.status, 303, await approved.text())
    const back = await fetch(approved.headers.get('location'), { redirect: 'manual', headers: { cookie } })
    assert.equal(back.status, 303, await back.text())
    const landed = new URL(back.headers.get('location'))
    assert.equal(`${landed.origin}${landed.pathname}`, 'http://127.0.0.1:9000/back')
    assert.equal(landed.searchParams.get('status'), 'connected')

    // Step 3's next commands, with the session's id where the README says to put it.
    assert.match(read, /^SESSION=…/m)
    // The same terminal: what the first block exported is still set.
    const exported = start
      .split('\n')
      .filter((line) => line.startsWith('export '))
      .join('\n')
    const accounts = JSON.parse(sh(dir, `${exported}\n${read.replace(/^SESSION=….*$/m, `SESSION=${session.id}`)}`, ports))
    assert.ok(Array.isArray(accounts.data) && accounts.data.length > 0, JSON.stringify(accounts))
  } finally {
    await dev.stop()
    rmSync(dir, { recursive: true, force: true })
  }
})
