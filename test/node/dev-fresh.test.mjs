// npm run dev keeps its local state between runs (a session started is still there after a restart), and
// `npm run dev -- --fresh` starts with none of it. Its console is quiet: the Ready box, then one line per logged event;
// wrangler's banner, binding tables and per-request lines only with -- --verbose.
import assert from 'node:assert/strict'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { exampleWithKeys, freePort } from '../../scripts/lib/servers.mjs'
import { scratchProject, startDev } from './lib/scratchProject.mjs'

test(
  'a session survives a restart of npm run dev, -- --fresh starts with none, and the console is quiet',
  { timeout: 300_000 },
  async () => {
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
      const ready = dev.output.findIndex((line) => line.includes('✔ Ready'))
      const before = dev.output.slice(0, ready).filter((line) => line.trim())
      assert.ok(before.length <= 3, `before the Ready box:\n${before.join('\n')}`)
      assert.ok(!dev.output.some((line) => /bindings:|\[wrangler:info\] POST \/sessions/.test(line)), dev.output.join('\n'))
      // The log line comes through wrangler's output a moment after the answer: wait for it (bounded), then count.
      for (let i = 0; i < 100 && !dev.output.some((line) => line.includes('/sessions')); i++) await new Promise((r) => setTimeout(r, 50))
      await new Promise((r) => setTimeout(r, 200))
      assert.equal(dev.output.filter((line) => line.includes('/sessions')).length, 1, 'the start is logged once')
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
  },
)
