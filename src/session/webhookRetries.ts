/**
 * Webhooks that outlive an outage (docs/webhooks.md). The first attempt is
 * made at once from the session's outbox (webhookOutbox.ts, off the user's
 * path); a refused event goes to a Cloudflare Queue (WEBHOOK_RETRIES), and
 * leaves the outbox only once the queue holds it. The consumer here tries it again with
 * `message.retry({ delaySeconds })`: first after WEBHOOK_RETRY_FIRST_SECONDS
 * (30), doubling, capped at WEBHOOK_RETRY_MAX_SECONDS (3600), until
 * WEBHOOK_GIVE_UP_SECONDS (72 h) after the first attempt. Then it logs
 * `webhook_gave_up` and moves the event to the dead-letter queue
 * (WEBHOOK_DEAD_LETTERS), where an operator finds it. Every attempt carries
 * the same event (and so the same `eventId`): delivered at least once.
 */
import { getConfig, type Config } from '../config'
import { log } from '../util/log'
import { postWebhook, type WebhookEvent } from './webhook'
import { retryDelaySeconds } from './webhookSchedule'

export { retryDelaySeconds } from './webhookSchedule'

/** A queued event, as it goes on every retry. */
export interface QueuedWebhook {
  event: WebhookEvent
  /** When the event was written to the outbox, just before its first attempt (ms since the epoch): the give-up clock starts then. */
  firstAttemptAt: number
}

/** A refused event, handed to the queue for its retries; false when the queue did not take it (it stays in the outbox). */
export async function queueRetries(env: Env, config: Config, queued: QueuedWebhook): Promise<boolean> {
  try {
    await env.WEBHOOK_RETRIES.send(queued, { contentType: 'json', delaySeconds: retryDelaySeconds(1, config.webhookRetry) })
    return true
  } catch {
    log('error', 'webhook_not_queued', { sessionId: queued.event.id, eventId: queued.event.eventId })
    return false
  }
}

/** An event no longer tried: logged, and kept in the dead-letter queue for an operator. */
export async function giveUp(env: Env, queued: QueuedWebhook, attempts: number): Promise<void> {
  const { event, firstAttemptAt } = queued
  log('error', 'webhook_gave_up', {
    sessionId: event.id,
    eventId: event.eventId,
    attempts,
    firstAttemptAt: new Date(firstAttemptAt).toISOString(),
  })
  await env.WEBHOOK_DEAD_LETTERS.send(queued, { contentType: 'json' })
}

/** The queue's consumer: one attempt per message, then ack, retry later, or give up to the dead-letter queue. */
export async function retryWebhooks(batch: MessageBatch<QueuedWebhook>, env: Env): Promise<void> {
  const config = await getConfig(env)
  await Promise.all(
    batch.messages.map(async (message) => {
      const { event, firstAttemptAt } = message.body
      // message.attempts counts deliveries from the queue; the immediate attempt came before them.
      if (await postWebhook(config, event, message.attempts + 1)) return message.ack()
      if (!config.webhook || Date.now() - firstAttemptAt >= config.webhookRetry.giveUpSeconds * 1000) {
        await giveUp(env, message.body, message.attempts + 1)
        return message.ack()
      }
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts + 1, config.webhookRetry) })
    }),
  )
}
