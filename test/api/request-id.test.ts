/**
 * The request id is the server's (issue 10.6): a caller's X-Request-Id never
 * becomes ours; it is logged apart, bounded and cleaned, for correlation.
 */
import { SELF } from 'cloudflare:test'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { callerRequestId } from '../../src/http/log'

let lines: string[] = []
beforeEach(() => {
  lines = []
  for (const method of ['log', 'warn', 'error'] as const)
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' ')))
})
afterEach(() => vi.restoreAllMocks())

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

describe('request ids', () => {
  it("a caller's X-Request-Id is not taken: the answer and the log carry one made here, the caller's apart", async () => {
    const response = await SELF.fetch('http://proxy.test/sessions/nope', { headers: { 'x-request-id': 'forged-id-of-someone-else' } })
    const id = response.headers.get('x-request-id')!
    expect(id).toMatch(UUID)
    const line = JSON.parse(lines.find((l) => l.includes(id))!)
    expect(line).toMatchObject({ requestId: id, callerRequestId: 'forged-id-of-someone-else' })
  })

  it('every request gets a fresh one', async () => {
    const a = (await SELF.fetch('http://proxy.test/health')).headers.get('x-request-id')
    const b = (await SELF.fetch('http://proxy.test/health')).headers.get('x-request-id')
    expect(a).toMatch(UUID)
    expect(a).not.toBe(b)
  })

  it("the caller's id is bounded and cleaned before it is logged", async () => {
    expect(callerRequestId('a'.repeat(500))).toHaveLength(64)
    expect(callerRequestId('abc"}\n{"level":"error","x":"<script>')).toMatch(/^[A-Za-z0-9_.:-]+$/)
    const response = await SELF.fetch('http://proxy.test/sessions/nope', { headers: { 'x-request-id': `inject" ${'z'.repeat(200)}` } })
    const line = JSON.parse(lines.find((l) => l.includes(response.headers.get('x-request-id')!))!)
    expect(line.callerRequestId).toBe(`inject__${'z'.repeat(56)}`)
  })
})
