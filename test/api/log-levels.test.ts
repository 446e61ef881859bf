/**
 * Log levels say who must look: `warn` and `error` are for an operator; a user's own refusal at their bank is
 * `info`. Successful status polls are not logged, for payments as for sessions (README "Logs").
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Browser, connectAccount, paymentBody, paymentStatus, started, startedPayment, status } from '../helpers'

let lines: { method: string; line: Record<string, unknown> }[] = []

beforeEach(() => {
  lines = []
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      const text = args.map(String).join(' ')
      if (text.startsWith('{')) lines.push({ method, line: JSON.parse(text) as Record<string, unknown> })
    })
  }
})
afterEach(() => vi.restoreAllMocks())

describe('log levels', () => {
  it('a user who denies at their bank is info, on console.log: nothing for an operator to look at', async () => {
    await connectAccount({}, 'deny')
    const completed = lines.filter(({ line }) => line.event === 'session_completed')
    expect(completed).toHaveLength(1)
    expect(completed[0]!.line).toMatchObject({ level: 'info', outcome: 'failed', error: 'access_denied' })
    expect(completed[0]!.method).toBe('log')
    expect(lines.filter(({ line }) => line.level !== 'info')).toEqual([])
  })

  it('a failure the operator must see (an id_token that fails its checks) stays warn', async () => {
    await connectAccount({}, 'approve', { fault: 'nonce_wrong' })
    const completed = lines.find(({ line }) => line.event === 'session_completed')
    expect(completed?.line).toMatchObject({ level: 'warn', error: 'id_token_nonce_mismatch' })
    expect(completed?.method).toBe('warn')
  })

  it('successful status polls are not logged: not for sessions, not for payments', async () => {
    const { session } = await connectAccount({})
    const payment = await startedPayment('/payments', paymentBody())
    lines = []
    for (let i = 0; i < 3; i++) {
      expect((await status(session.id)).status).toBe(200)
      expect((await paymentStatus(payment.id)).status).toBe(200)
    }
    expect(lines.map(({ line }) => `${line.event} ${line.path}`)).toEqual([])
  })

  it('a poll that fails is still logged', async () => {
    const response = await paymentStatus('AAAAAAAAAAAAAAAAAAAAAA')
    expect(response.status).toBe(404)
    expect(lines.map(({ line }) => line)).toEqual([
      expect.objectContaining({ event: 'refused', status: 404, path: '/payments/AAAAAAAAAAAAAAAAAAAAAA' }),
    ])
  })

  it("a browser sent back after a refusal: the line has the browser's 303 and the refusal's own status beside it", async () => {
    const session = await started({ returnTo: 'https://app.example.com/back' })
    const back = await new Browser().authorize(session.authorizeUrl)
    lines = []
    // The callback arriving in another browser (no binding cookie): refused (400), and that browser is sent to the app.
    const answer = await new Browser().callback(back)
    expect(answer.status).toBe(303)
    const refused = lines.find(({ line }) => line.event === 'refused')
    expect(refused?.line).toMatchObject({ level: 'warn', status: 303, errorStatus: 400 })
  })
})
