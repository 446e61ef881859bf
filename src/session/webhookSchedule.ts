/**
 * The webhook retry schedule (docs/webhooks.md), without imports, so that
 * config.ts can check the settings against it: retries from the queue come
 * after WEBHOOK_RETRY_FIRST_SECONDS, doubling, at most
 * WEBHOOK_RETRY_MAX_SECONDS apart, and the queue redelivers a message at most
 * `max_retries` times before it dead-letters it.
 */

/** wrangler.toml's `max_retries` for the queue WEBHOOK_RETRIES (test/status/webhook-retry-settings.test.ts checks they agree). */
export const WEBHOOK_QUEUE_MAX_RETRIES = 100

export interface RetrySchedule {
  firstSeconds: number
  maxSeconds: number
}

/** The delay before the `retry`-th retry (1 is the first one after the immediate attempt). */
export function retryDelaySeconds(retry: number, schedule: RetrySchedule): number {
  return Math.min(schedule.firstSeconds * 2 ** Math.min(retry - 1, 20), schedule.maxSeconds)
}

/** How long after the first attempt the queue's last retry comes: what the schedule can cover before the queue gives up. */
export function coveredSeconds(schedule: RetrySchedule, retries = WEBHOOK_QUEUE_MAX_RETRIES): number {
  let total = 0
  for (let retry = 1; retry <= retries; retry++) total += retryDelaySeconds(retry, schedule)
  return total
}
