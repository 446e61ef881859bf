/**
 * Concurrent flows and faults: 20 complete flows at once against the mock. Every one must
 * end as it should, every client assertion must be fresh, and no session may
 * be lost or get another's tokens. The load version (200 at once) is in `npm run bench`
 * (bench/concurrentFlows.mjs): it took 12 to 37 s of the suite.
 */
import { describe, expect, it } from 'vitest'
import { Browser, claimsOf, mockRequests, started, statusOf, tokens } from '../helpers'

const FLOWS = 20

async function runFlows(failEvery?: number) {
  return Promise.all(
    Array.from({ length: FLOWS }, async (_, i) => {
      const browser = new Browser() // one browser per user
      const session = await started({ bankId: `bank${i % 7}` })
      const fault: Record<string, string> = failEvery && i % failEvery === 0 ? { fault: 'server_error' } : {}
      const back = await browser.authorize(session.authorizeUrl, 'approve', fault)
      const response = await browser.callback(back)
      return { i, session, code: back.searchParams.get('code')!, response, failed: 'fault' in fault }
    }),
  )
}

async function checkOutcomes(flows: Awaited<ReturnType<typeof runFlows>>) {
  const recorded = await mockRequests()
  const byCode = new Map(recorded.filter((r) => r.endpoint === 'token').map((r) => [r.params.code, r]))
  for (const flow of flows) {
    expect(flow.response.status).toBe(200)
    const status = await statusOf(flow.session.id)
    if (flow.failed) {
      expect(status).toMatchObject({ status: 'failed', error: 'token_endpoint_unavailable' })
      expect((await tokens(flow.session.id)).status).toBe(409)
      continue
    }
    expect(status).toMatchObject({ status: 'connected', bankId: `bank${flow.i % 7}` })
    // Not crossed: this session holds exactly the tokens issued for its own code.
    const issued = byCode.get(flow.code)!.answer!
    const set = await (await tokens(flow.session.id)).json<{ access_token: string; id_token: string }>()
    expect(set.access_token).toBe(issued.access_token)
    expect(claimsOf(set.id_token)['mh:con_id']).toMatch(new RegExp(`^bank${flow.i % 7}:`))
  }
  const jtis = flows.map((f) => claimsOf(byCode.get(f.code)!.params.client_assertion!).jti)
  expect(new Set(jtis).size).toBe(FLOWS)
}

describe(`${FLOWS} concurrent complete flows`, () => {
  it('all connect, each with its own tokens and a distinct jti', { timeout: 30_000 }, async () => {
    await checkOutcomes(await runFlows())
  })

  it('with the token endpoint failing 1 in 5: each failure reported failed, each success intact', { timeout: 30_000 }, async () => {
    const flows = await runFlows(5)
    expect(flows.filter((f) => f.failed)).toHaveLength(FLOWS / 5)
    await checkOutcomes(flows)
  })
})
