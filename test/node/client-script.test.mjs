// GET /client.js serves src/client/browser.ts, built: the generated module must match the TypeScript source.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { buildClientScript, CLIENT_MODULE, clientModuleSource } from '../../scripts/lib/workerCode.mjs'

test(`${CLIENT_MODULE} is in sync with src/client/browser.ts (else: npm run build:client)`, async () => {
  assert.equal(readFileSync(CLIENT_MODULE, 'utf8'), await clientModuleSource(), `${CLIENT_MODULE} is out of date: run npm run build:client`)
})

test('the built helper is a browser ES module exporting the helper', async () => {
  const { code } = await buildClientScript()
  const helper = await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)
  for (const name of ['connectBank', 'sessionFromReturn', 'waitForStatus', 'ConnectError'])
    assert.equal(typeof helper[name], 'function', name)
  assert.deepEqual(helper.sessionFromReturn('https://app.example.com/?session=abc&status=failed&error=access_denied'), {
    session: 'abc',
    status: 'failed',
    error: 'access_denied',
  })
})
