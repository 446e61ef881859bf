/**
 * The optional webhook to the app backend (WEBHOOK_URL, WEBHOOK_SECRET): when
 * a session becomes connected (a payment kind: authorised), failed or expired, POST its
 * id, kind, status and what was made (paymentId, …),
 * signed, retried with backoff. Run from ctx.waitUntil, never in the user's way.
 *
 * Header `X-Connect-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
 * Each event has an id (`eventId` in the body, `X-Connect-Event-Id`), the same
 * on every retry, so that a receiver handles it once. A redirect is not
 * followed: it counts as a failed attempt (the signed body goes only to WEBHOOK_URL).
 */
import type { Config } from '../config'
import { log } from '../http/log'
import { OUTCOME_IDS, type OutcomeIds, type Session } from '../storage/sessions'

export interface WebhookEvent extends OutcomeIds {
  /** `<session id>.<status>`: one per change of a session, repeated on retries. */
  eventId: string
  id: string
  /** The session kind; absent for a connection. */
  kind?: Session['kind']
  status: 'connected' | 'authorised' | 'failed' | 'expired' | 'revoked'
  connectionId?: string
  userId?: string
  error?: string
}

export const SIGNATURE_HEADER = 'x-connect-signature'
export const EVENT_ID_HEADER = 'x-connect-event-id'
/** Delays before each attempt; the last ends well inside waitUntil's 30 s. */
export const ATTEMPT_DELAYS_MS = [0, 1_000, 4_000, 9_000]

export function webhookEvent(session: Session): WebhookEvent | undefined {
  if (session.status === 'pending') return undefined
  return {
    eventId: `${session.id}.${session.status}`,
    id: session.id,
    ...(session.kind ? { kind: session.kind } : {}),
    status: session.status,
    ...Object.fromEntries(OUTCOME_IDS.filter((field) => session[field]).map((field) => [field, session[field]])),
    ...(session.connectionId ? { connectionId: session.connectionId } : {}),
    ...(session.userId ? { userId: session.userId } : {}),
    ...(session.error ? { error: session.error } : {}),
  }
}

export async function signWebhook(key: CryptoKey, timestamp: number, body: string): Promise<string> {
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${timestamp}.${body}`)))
  return `t=${timestamp},v1=${[...mac].map((b) => b.toString(16).padStart(2, '0')).join('')}`
}

/** Delivers the event, retrying on network errors and non-2xx answers; true once delivered. */
export async function deliverWebhook(config: Config, session: Session, delays = ATTEMPT_DELAYS_MS): Promise<boolean> {
  const event = webhookEvent(session)
  if (!config.webhook || !event) return false
  const body = JSON.stringify(event)
  for (const [attempt, delay] of delays.entries()) {
    if (delay) await new Promise((resolve) => setTimeout(resolve, delay))
    try {
      const signature = await signWebhook(config.webhook.key, Math.floor(Date.now() / 1000), body)
      const response = await fetch(config.webhook.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature, [EVENT_ID_HEADER]: event.eventId },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(config.upstreamTimeoutMs),
      })
      if (response.ok) return true
      log('warn', 'webhook_refused', { sessionId: event.id, status: response.status, attempt: attempt + 1 })
    } catch {
      log('warn', 'webhook_unreachable', { sessionId: event.id, attempt: attempt + 1 })
    }
  }
  log('error', 'webhook_gave_up', { sessionId: event.id, attempts: delays.length })
  return false
}
