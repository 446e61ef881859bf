// npm run dev keeps the origins a user adds to ALLOWED_ORIGINS in .dev.vars, adds the demo's, and the Worker allows them.
import assert from 'node:assert/strict'
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { exampleWithKeys, freePort } from '../../scripts/lib/servers.mjs'
import { scratchProject, startDev } from './lib/scratchProject.mjs'

test('an origin of your own in .dev.vars is kept, the demo is added, and a session returns to it', { timeout: 240_000 }, async () => {
  const own = 'http://127.0.0.1:9000'
  // A .dev.vars made for the default ports, with the user's own app added to its origins.
  const devVars = (await exampleWithKeys(readFileSync('.dev.vars.example', 'utf8'))).replace(
    /^ALLOWED_ORIGINS=(.*)$/m,
    (_, list) => `ALLOWED_ORIGINS=${list},${own}`,
  )
  const dir = scratchProject(devVars)
  const [proxyPort, mockPort] = [await freePort(), await freePort()]
  const dev = await startDev(dir, { env: { PROXY_PORT: String(proxyPort), MOCK_PORT: String(mockPort) } })
  try {
    const expected = `http://127.0.0.1:${mockPort},http://localhost:${mockPort},${own}`
    const said = dev.output.join('\n')
    assert.match(said, new RegExp(`ALLOWED_ORIGINS: .* → ${expected.replaceAll('.', '\\.')} \\(yours kept, the demo's added\\)`))
    assert.match(said, new RegExp(`Allowed origins: +${expected.replaceAll('.', '\\.')}`))
    assert.match(readFileSync(join(dir, '.dev.vars'), 'utf8'), new RegExp(`^ALLOWED_ORIGINS=${expected.replaceAll('.', '\\.')}$`, 'm'))

    // The user's own page starts a session that returns to it.
    const response = await fetch(`http://127.0.0.1:${proxyPort}/sessions`, {
      method: 'POST',
      headers: { origin: own, 'content-type': 'application/json' },
      body: JSON.stringify({ bankId: '1ffe704d39629a929c8e293880fb449a', returnTo: `${own}/back` }),
    })
    assert.equal(response.status, 201, await response.clone().text())
    assert.equal(response.headers.get('access-control-allow-origin'), own)
    assert.ok((await response.json()).authorizeUrl)
    // And an origin nobody added is still refused.
    const other = await fetch(`http://127.0.0.1:${proxyPort}/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${devVars.match(/^BACKEND_API_KEY=(.*)$/m)[1]}` },
      body: JSON.stringify({ bankId: '1ffe704d39629a929c8e293880fb449a', returnTo: 'http://127.0.0.1:9001/back' }),
    })
    assert.equal(other.status, 400)
    assert.equal((await other.json()).error, 'return_to_not_allowed')
  } finally {
    await dev.stop()
    rmSync(dir, { recursive: true, force: true })
  }
})
