import { env } from 'cloudflare:test'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { APP_ORIGIN, browser, callback, connectAccount, mockRequests, readPushedRequest, started, tokens } from '../helpers'

let lines: string[] = []

beforeEach(() => {
  lines = []
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' ')))
  }
})
afterEach(() => vi.restoreAllMocks())

describe('logs are structured and hold no secret', () => {
  it('a whole flow — success, refusal, bad id_token, replay, bad key — logs no code, state, assertion or token', async () => {
    const ok = await connectAccount({ returnTo: `${APP_ORIGIN}/x` })
    const denied = await connectAccount({}, 'deny')
    const forged = await connectAccount({}, 'approve', { fault: 'nonce_wrong' })
    await callback(ok.back) // replay
    await tokens(ok.session.id, { authorization: 'Bearer not-the-right-key!' })
    const set = await (await tokens(ok.session.id)).json<Record<string, string>>()
    const pending = await started({})
    await browser.launch(pending.authorizeUrl)

    const secrets = [env.BACKEND_API_KEY, set.access_token!, set.id_token!, ...browser.cookies.values()]
    for (const flow of [ok, denied, forged]) {
      secrets.push(flow.back.searchParams.get('state')!)
      if (flow.back.searchParams.get('code')) secrets.push(flow.back.searchParams.get('code')!)
    }
    for (const recorded of await mockRequests()) {
      // A pushed request's parameters may be inside its request object: read them there too.
      const r = recorded.endpoint === 'par' ? readPushedRequest(recorded) : recorded
      for (const field of ['client_assertion', 'code_verifier', 'state', 'nonce']) if (r.params[field]) secrets.push(r.params[field]!)
      if (recorded.params.request) secrets.push(recorded.params.request)
      for (const field of ['access_token', 'id_token', 'request_uri'])
        if (typeof r.answer?.[field] === 'string') secrets.push(r.answer[field] as string)
    }

    expect(lines.length).toBeGreaterThanOrEqual(8)
    const output = lines.join('\n')
    for (const secret of secrets) expect(output).not.toContain(secret)
    expect(output).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./)

    const requests = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => typeof l.path === 'string')
    expect(requests.length).toBeGreaterThanOrEqual(8)
    for (const line of requests) {
      expect(line.requestId).toMatch(/^[0-9a-f-]{36}$/)
      expect(line.path).not.toMatch(/\?/)
    }
    const outcomes = lines
      .map((l) => JSON.parse(l))
      .filter((l) => l.event === 'session_completed')
      .map((l) => [l.outcome, l.error])
    expect(outcomes).toEqual(
      expect.arrayContaining([
        ['connected', undefined],
        ['failed', 'access_denied'],
        ['failed', 'id_token_nonce_mismatch'],
      ]),
    )
  })
})

describe('redaction, should a secret ever reach a log call', () => {
  it('masks secret-named fields and JWT-shaped values anywhere in a line', async () => {
    const { log } = await import('../../src/util/log')
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl'
    log('warn', 'upstream_said', {
      code: 'the-code',
      state: 's',
      client_assertion: jwt,
      detail: { message: `refused ${jwt}`, refresh_token: 'rt' },
    })
    const line = lines.at(-1)!
    for (const secret of ['the-code', jwt, '"rt"']) expect(line).not.toContain(secret)
    expect(JSON.parse(line)).toMatchObject({
      code: '[redacted]',
      state: '[redacted]',
      detail: { message: 'refused [redacted-jwt]', refresh_token: '[redacted]' },
    })
  })
})
