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
  // A return is accepted only by the page that started the session: the one holding its secret.
  const back = 'https://app.example.com/?session=abc&status=failed&error=access_denied'
  const stored = new Map([['moneyhub-connect:secret:abc', 'the-secret']])
  const storage = { getItem: (k) => stored.get(k) ?? null, setItem: (k, v) => stored.set(k, v) }
  assert.deepEqual(helper.sessionFromReturn(back, { storage }), { session: 'abc', status: 'failed', error: 'access_denied' })
  assert.throws(() => helper.sessionFromReturn(back, { storage: { getItem: () => null } }), { code: 'session_not_started_here' })
})
