/**
 * Load and faults (npm run bench; was the workerd suite's test/connections/concurrent-flows.test.ts, 12 to 37 s of the suite's
 * critical path): 200 complete connections at once against the mock, once with every one approved and once with the
 * token endpoint failing 1 in 5. Every flow must end as it should (a failure `failed token_endpoint_unavailable`, its
 * tokens 409), every session must hold exactly the tokens issued for its own code (no session lost or crossed), and
 * every client assertion must be fresh (a distinct jti). Throws, naming each problem, when one is not so.
 */

const decode = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString())

/** One connection: start → launch (the browser's cookie) → the mock approves (with `fault`) → callback. */
async function flow(proxyOrigin, backend, i, fault) {
  const bankId = `bank${i % 7}` // the mock's older test banks (mock/src/bankLists.ts)
  const started = await fetch(`${proxyOrigin}/sessions`, {
    method: 'POST',
    headers: { ...backend, 'content-type': 'application/json' },
    body: JSON.stringify({ bankId }),
  })
  const { id, authorizeUrl } = await started.json()
  if (started.status !== 201) throw new Error(`flow ${i}: POST /sessions answered ${started.status}`)
  const launch = await fetch(authorizeUrl, { redirect: 'manual' })
  await launch.arrayBuffer()
  const cookie = launch.headers.get('set-cookie').split(';')[0]
  const approve = new URL(launch.headers.get('location'))
  approve.searchParams.set('decision', 'approve')
  if (fault) approve.searchParams.set('fault', fault)
  const back = await fetch(approve, { redirect: 'manual' })
  await back.arrayBuffer()
  const callback = new URL(back.headers.get('location'))
  const done = await fetch(callback, { headers: { cookie }, redirect: 'manual' })
  await done.arrayBuffer()
  return { i, id, bankId, code: callback.searchParams.get('code'), callbackStatus: done.status, failed: Boolean(fault) }
}

/** What is wrong with `flows` (empty when all is well), from the proxy's answers and what the mock's token endpoint issued. */
async function problemsOf(flows, { proxyOrigin, mockOrigin, backend }) {
  const problems = []
  const recorded = await (await fetch(`${mockOrigin}/__mock/requests`)).json()
  const byCode = new Map(recorded.filter((r) => r.endpoint === 'token').map((r) => [r.params.code, r]))
  const jtis = new Set()
  for (const f of flows) {
    const say = (what) => problems.push(`flow ${f.i} (${f.id}): ${what}`)
    // The callback answers the browser with a page (200) or a redirect to the app (303).
    if (f.callbackStatus !== 200 && f.callbackStatus !== 303) say(`callback answered ${f.callbackStatus}`)
    const status = await (await fetch(`${proxyOrigin}/sessions/${f.id}`)).json()
    const tokens = await fetch(`${proxyOrigin}/sessions/${f.id}/tokens`, { headers: backend })
    const exchange = byCode.get(f.code)
    if (!exchange) say('no token request reached the mock for its code')
    else jtis.add(decode(exchange.params.client_assertion).jti)
    if (f.failed) {
      if (status.status !== 'failed' || status.error !== 'token_endpoint_unavailable') say(`ended ${status.status} ${status.error ?? ''}`)
      if (tokens.status !== 409) say(`tokens answered ${tokens.status}, not 409`)
      await tokens.arrayBuffer()
      continue
    }
    if (status.status !== 'connected' || status.bankId !== f.bankId) say(`ended ${status.status} at ${status.bankId}`)
    const set = await tokens.json()
    // Not crossed: this session holds exactly the tokens issued for its own code.
    if (exchange && set.access_token !== exchange.answer?.access_token) say('holds tokens not issued for its code')
    if (!String(decode(set.id_token)['mh:con_id']).startsWith(`${f.bankId}:`)) say(`id token of another bank`)
  }
  if (jtis.size !== flows.length) problems.push(`${flows.length} flows sent ${jtis.size} distinct client assertion jtis`)
  return problems
}

/** Both runs; their wall-clock times (ms), or an error listing every problem. */
export async function concurrentFlows({ proxyOrigin, mockOrigin, backendApiKey, flows = 200, failEvery = 5 }) {
  const backend = { authorization: `Bearer ${backendApiKey}` }
  const results = {}
  for (const [name, every] of [
    ['allApproved', 0],
    ['tokenEndpointFailing', failEvery],
  ]) {
    const started = performance.now()
    const done = await Promise.all(
      Array.from({ length: flows }, (_, i) => flow(proxyOrigin, backend, i, every && i % every === 0 ? 'server_error' : undefined)),
    )
    const wallMs = performance.now() - started
    const problems = await problemsOf(done, { proxyOrigin, mockOrigin, backend })
    if (problems.length)
      throw new Error(`${flows} concurrent flows (${name}): ${problems.length} problems\n${problems.slice(0, 20).join('\n')}`)
    results[name] = { flows, failedOnPurpose: done.filter((f) => f.failed).length, wallMs }
  }
  return results
}
