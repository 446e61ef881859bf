/**
 * Webhook retry settings must cover the give-up time within the queue's
 * retries (issue 26 item 9): Queues redeliver a message at most
 * `max_retries` (100) times, then dead-letter it. With
 * WEBHOOK_RETRY_MAX_SECONDS=60, 100 retries reach 1.7 h, not 72 h: such
 * settings are a config error naming the variables, listed with every other
 * problem, never a silent early give-up.
 */
import { createExecutionContext, env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { readConfig } from '../../src/config'
import { WEBHOOK_QUEUE_MAX_RETRIES } from '../../src/session/webhookSchedule'
import worker from '../../src/index'
import wranglerToml from '../../wrangler.toml?raw'

async function problemsWith(overrides: Record<string, string>) {
  const response = await worker.fetch(
    new Request('http://proxy.test/sessions/AAAAAAAAAAAAAAAAAAAAAA'),
    { ...env, ...overrides },
    createExecutionContext(),
  )
  return { status: response.status, body: await response.json<{ error: string; message: string }>() }
}

describe('webhook retry settings the queue cannot honour are refused', () => {
  it('WEBHOOK_RETRY_MAX_SECONDS=60 with the 72 h give-up: config_invalid, naming the variables and the queue', async () => {
    const { status, body } = await problemsWith({ WEBHOOK_RETRY_MAX_SECONDS: '60', WEBHOOK_GIVE_UP_SECONDS: '259200' })
    expect(status).toBe(500)
    expect(body.error).toBe('config_invalid')
    // The message names the settings to change and the queue's limit: what the operator acts on.
    expect(body.message).toContain('WEBHOOK_RETRY_MAX_SECONDS')
    expect(body.message).toContain('WEBHOOK_GIVE_UP_SECONDS')
    expect(body.message).toContain('max_retries')
  })

  it('listed with every other problem at once', async () => {
    const { status, body } = await problemsWith({
      WEBHOOK_RETRY_MAX_SECONDS: '60',
      WEBHOOK_GIVE_UP_SECONDS: '259200',
      MONEYHUB_CLIENT_ID: '',
    })
    expect({ status, error: body.error }).toEqual({ status: 500, error: 'config_invalid' })
    expect(body.message).toContain('MONEYHUB_CLIENT_ID')
    expect(body.message).toContain('WEBHOOK_GIVE_UP_SECONDS')
  })

  it('the defaults, and a give-up the retries reach, are accepted', async () => {
    const blank = { WEBHOOK_RETRY_FIRST_SECONDS: '', WEBHOOK_RETRY_MAX_SECONDS: '', WEBHOOK_GIVE_UP_SECONDS: '' }
    await expect(readConfig({ ...env, ...blank } as Env)).resolves.toBeDefined()
    // 30 s, then 60 s apart: 100 retries reach 5,970 s after the first attempt (30 + 99 × 60).
    const short = { WEBHOOK_RETRY_FIRST_SECONDS: '30', WEBHOOK_RETRY_MAX_SECONDS: '60', WEBHOOK_GIVE_UP_SECONDS: String(30 + 99 * 60) }
    await expect(readConfig({ ...env, ...short } as Env)).resolves.toBeDefined()
    await expect(readConfig({ ...env, ...short, WEBHOOK_GIVE_UP_SECONDS: String(30 + 99 * 60 + 1) } as Env)).rejects.toMatchObject({
      name: 'ConfigError',
      problems: [expect.objectContaining({ variable: 'WEBHOOK_RETRY_MAX_SECONDS' })],
    })
  })

  it("the queue's retry count the check uses is wrangler.toml's max_retries, in every environment", () => {
    const counts = [...wranglerToml.matchAll(/^max_retries\s*=\s*(\d+)/gm)].map((match) => Number(match[1]))
    expect(counts.length).toBeGreaterThanOrEqual(2)
    for (const count of counts) expect(count).toBe(WEBHOOK_QUEUE_MAX_RETRIES)
  })
})
