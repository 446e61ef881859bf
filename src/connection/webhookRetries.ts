/**
 * Webhooks that outlive an outage (docs/webhooks.md). The first attempt is
 * made at once (webhook.ts, off the user's path); a refused event goes to a
 * Cloudflare Queue (WEBHOOK_RETRIES), whose consumer here tries it again with
 * `message.retry({ delaySeconds })`: first after WEBHOOK_RETRY_FIRST_SECONDS
 * (30), doubling, capped at WEBHOOK_RETRY_MAX_SECONDS (3600), until
 * WEBHOOK_GIVE_UP_SECONDS (72 h) after the first attempt. Then it logs
 * `webhook_gave_up` and moves the event to the dead-letter queue
 * (WEBHOOK_DEAD_LETTERS), where an operator finds it. Every attempt carries
 * the same event (and so the same `eventId`): delivered at least once.
 */
import { getConfig, type Config } from '../config'
import { log } from '../http/log'
import type { Session } from '../storage/sessions'
import { postWebhook, webhookEvent, type WebhookEvent } from './webhook'

/** A queued event, as it goes on every retry. */
export interface QueuedWebhook {
  event: WebhookEvent
  /** When the first attempt was made (ms since the epoch): the give-up clock starts then. */
  firstAttemptAt: number
}

/** The delay before the `retry`-th retry (1 is the first one after the immediate attempt). */
export function retryDelaySeconds(retry: number, schedule: Config['webhookRetry']): number {
  return Math.min(schedule.firstSeconds * 2 ** Math.min(retry - 1, 20), schedule.maxSeconds)
}

/** The session's event, at once; queued for retries when the receiver did not take it. */
export async function sendWebhook(env: Env, config: Config, session: Session): Promise<void> {
  const event = webhookEvent(session)
  if (!config.webhook || !event) return
  const firstAttemptAt = Date.now()
  if (await postWebhook(config, event, 1)) return
  try {
    await env.WEBHOOK_RETRIES.send({ event, firstAttemptAt } satisfies QueuedWebhook, {
      contentType: 'json',
      delaySeconds: retryDelaySeconds(1, config.webhookRetry),
    })
  } catch {
    log('error', 'webhook_not_queued', { sessionId: event.id, eventId: event.eventId })
  }
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
        log('error', 'webhook_gave_up', {
          sessionId: event.id,
          eventId: event.eventId,
          attempts: message.attempts + 1,
          firstAttemptAt: new Date(firstAttemptAt).toISOString(),
        })
        await env.WEBHOOK_DEAD_LETTERS.send(message.body, { contentType: 'json' })
        return message.ack()
      }
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts + 1, config.webhookRetry) })
    }),
  )
}
