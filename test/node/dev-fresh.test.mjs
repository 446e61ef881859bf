// npm run dev keeps its local state between runs (a session started is still there after a restart), and
// `npm run dev -- --fresh` starts with none of it.
import assert from 'node:assert/strict'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { exampleWithKeys, freePort } from '../../scripts/lib/servers.mjs'
import { scratchProject, startDev } from './lib/scratchProject.mjs'

test('a session survives a restart of npm run dev, and -- --fresh starts with none', { timeout: 300_000 }, async () => {
  const devVars = await exampleWithKeys(readFileSync('.dev.vars.example', 'utf8'))
  const key = devVars.match(/^BACKEND_API_KEY=(.*)$/m)[1]
  const dir = scratchProject(devVars)
  const ports = { PROXY_PORT: String(await freePort()), MOCK_PORT: String(await freePort()) }
  const proxy = `http://127.0.0.1:${ports.PROXY_PORT}`
  const statusOf = async (id) => (await fetch(`${proxy}/sessions/${id}`, { headers: { authorization: `Bearer ${key}` } })).status
  try {
    let dev = await startDev(dir, { env: ports })
    const started = await fetch(`${proxy}/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ bankId: '1ffe704d39629a929c8e293880fb449a' }),
    })
    assert.equal(started.status, 201, await started.clone().text())
    const { id } = await started.json()
    await dev.stop()

    dev = await startDev(dir, { env: ports })
    assert.equal(await statusOf(id), 200, 'kept between runs')
    await dev.stop()

    dev = await startDev(dir, { env: ports, args: ['--fresh'] })
    assert.ok(
      dev.output.some((line) => line.includes('Fresh start')),
      dev.output.join('\n'),
    )
    assert.equal(await statusOf(id), 404, 'gone after --fresh')
    assert.ok(existsSync(join(dir, '.dev.vars')), '.dev.vars is kept')
    assert.equal(readFileSync(join(dir, '.dev.vars'), 'utf8').match(/^BACKEND_API_KEY=(.*)$/m)[1], key)
    await dev.stop()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
