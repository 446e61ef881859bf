/**
 * One complete connection as the bench drives it: start → authorise at the mock → callback → status `connected`,
 * through the Worker or the Node peer. Each of the 4 Worker requests goes through `send(route, request)`, which
 * calls `request()` and may time or profile it; the mock's own answer (the user approving) does not.
 */
export async function connectionFlow(origin, backendApiKey, send = (_, request) => request()) {
  const started = await send('POST /sessions', () =>
    fetch(`${origin}/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${backendApiKey}`, 'content-type': 'application/json' },
      body: '{"bankId":"1ffe704d39629a929c8e293880fb449a"}',
    }),
  )
  const created = await started.json()
  if (started.status !== 201) throw new Error(`POST /sessions answered ${started.status}: ${JSON.stringify(created)}`)
  const { id, authorizeUrl } = created
  const launch = await send('GET /sessions/:id/authorize', () => fetch(authorizeUrl, { redirect: 'manual' }))
  if (launch.status !== 303) throw new Error(`launch answered ${launch.status}: ${await launch.text()}`)
  const cookie = launch.headers.get('set-cookie').split(';')[0]
  const approve = new URL(launch.headers.get('location'))
  approve.searchParams.set('decision', 'approve')
  const back = await fetch(approve, { redirect: 'manual' }) // the mock: not the Worker's time
  const done = await send('GET /callback', () => fetch(back.headers.get('location'), { headers: { cookie }, redirect: 'manual' }))
  if (!done.bodyUsed) await done.arrayBuffer()
  const status = await send('GET /sessions/:id', () => fetch(`${origin}/sessions/${id}`))
  const body = await status.json()
  if (body.status !== 'connected') throw new Error(`flow ended ${body.status} ${body.error ?? ''}`)
  return id
}
