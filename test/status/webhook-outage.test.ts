import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { inject } from 'vitest'
import { readConfig } from '../../src/config'
import { retryDelaySeconds, type QueuedWebhook } from '../../src/session/webhookRetries'
import worker from '../../src/index'
import { browser, sleepMs, started, webhookOutage, webhooksFor, type ReceivedWebhook } from '../helpers'

async function verifySignature(received: ReceivedWebhook, secret = inject('webhookSecret')) {
  const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(received.headers['x-connect-signature']!)!
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify'])
  const mac = new Uint8Array(v1!.match(/../g)!.map((h) => parseInt(h, 16)))
  return crypto.subtle.verify('HMAC', key, mac, new TextEncoder().encode(`${t}.${received.body}`))
}

async function waitForDelivered(id: string, ms = 40_000) {
  const until = Date.now() + ms
  let found = await webhooksFor(id)
  while (!found.some((w) => w.answered === 204) && Date.now() < until) {
    await sleepMs(250)
    found = await webhooksFor(id)
  }
  return found
}

afterEach(() => vi.restoreAllMocks())

describe('webhooks survive a receiver outage', () => {
  it(
    'an event refused while the receiver is down arrives later, with the same eventId, signed each time',
    { timeout: 60_000 },
    async () => {
      const session = await started({ bankId: 'abc' })
      // Longer than the first attempt and the first two retries from the queue at test scale (1 s, then 2 s:
      // WEBHOOK_RETRY_FIRST_SECONDS, WEBHOOK_RETRY_MAX_SECONDS in vitest.config.ts): the event arrives from the queue.
      await webhookOutage(session.id, 8_000)
      await browser.callback(await browser.authorize(session.authorizeUrl))
      const received = await waitForDelivered(session.id)
      expect(received.filter((w) => w.answered === 503).length).toBeGreaterThanOrEqual(2)
      expect(received.at(-1)!.answered).toBe(204)
      expect(received.filter((w) => w.answered === 204)).toHaveLength(1)
      for (const delivery of received) {
        expect(JSON.parse(delivery.body)).toMatchObject({ eventId: `${session.id}.connected`, id: session.id, status: 'connected' })
        expect(delivery.headers['x-connect-event-id']).toBe(`${session.id}.connected`)
        expect(await verifySignature(delivery)).toBe(true)
      }
    },
  )

  it('gives up after WEBHOOK_GIVE_UP_SECONDS: logged as webhook_gave_up and moved to the dead-letter queue', async () => {
    const lines: string[] = []
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' ')))
    const deadLetters: unknown[] = []
    // Test scale: give up 2 s after the first attempt. The dead-letter producer is watched, to see what it was given.
    const testEnv = {
      ...env,
      WEBHOOK_GIVE_UP_SECONDS: '2',
      WEBHOOK_DEAD_LETTERS: { send: async (body: unknown) => void deadLetters.push(body) },
    } as unknown as Env
    const id = `GaveUp${crypto.randomUUID().replace(/-/g, '').slice(0, 16)}`
    await webhookOutage(id, 60_000)
    const body: QueuedWebhook = {
      event: { eventId: `${id}.failed`, id, status: 'failed', error: 'access_denied', sequence: 1, occurredAt: new Date().toISOString() },
      firstAttemptAt: Date.now(),
    }
    const deliver = async (attempts: number) => {
      const batch = createMessageBatch<QueuedWebhook>('moneyhub-edge-connect-webhooks', [
        { id: `m${attempts}`, timestamp: new Date(), attempts, body },
      ])
      const ctx = createExecutionContext()
      await worker.queue(batch, testEnv)
      return getQueueResult(batch, ctx)
    }
    // Inside the window: retried later, not given up (getQueueResult does not report the delay: the last test checks it).
    const early = await deliver(1)
    expect(early.retryMessages).toEqual([{ msgId: 'm1' }])
    expect(early.explicitAcks).toEqual([])
    expect(deadLetters).toEqual([])
    await sleepMs(2_100)
    const late = await deliver(2)
    expect(late.retryMessages).toEqual([])
    expect(late.explicitAcks).toEqual(['m2'])
    expect(deadLetters).toEqual([body])
    const gaveUp = lines.map((line) => JSON.parse(line)).find((line) => line.event === 'webhook_gave_up')
    expect(gaveUp).toMatchObject({ level: 'error', sessionId: id, eventId: `${id}.failed`, attempts: 3 })
    // Every attempt reached the receiver with the same event.
    const received = await webhooksFor(id)
    expect(received.map((w) => JSON.parse(w.body).eventId)).toEqual([`${id}.failed`, `${id}.failed`])
  })

  it('the production schedule: first retry within 30 s, doubling, capped at an hour, for at least 72 hours', async () => {
    const { webhookRetry } = await readConfig({
      ...env,
      WEBHOOK_RETRY_FIRST_SECONDS: '',
      WEBHOOK_RETRY_MAX_SECONDS: '',
      WEBHOOK_GIVE_UP_SECONDS: '',
    } as Env)
    const delays = Array.from({ length: 100 }, (_, i) => retryDelaySeconds(i + 1, webhookRetry))
    expect(delays.slice(0, 8)).toEqual([30, 60, 120, 240, 480, 960, 1920, 3600])
    expect(Math.max(...delays)).toBe(3600)
    expect(webhookRetry.giveUpSeconds).toBeGreaterThanOrEqual(72 * 3600)
    // Queues redeliver a message at most max_retries (100) times: the schedule reaches 72 h well within it.
    let elapsed = 0
    let retries = 0
    while (elapsed < webhookRetry.giveUpSeconds) elapsed += delays[retries++]!
    expect(retries).toBeLessThan(100)
  })
})
