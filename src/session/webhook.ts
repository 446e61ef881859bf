/**
 * The optional webhook to the app backend (WEBHOOK_URL, WEBHOOK_SECRET): when
 * a session becomes connected (a payment kind: authorised), failed or expired, POST its
 * id, kind, status and what was made (paymentId, …),
 * signed. Each event is written to the session's outbox with the change
 * itself (webhookOutbox.ts); the first attempt runs from ctx.waitUntil, never in
 * the user's way; a refused one is retried from a queue for 72 h
 * (webhookRetries.ts, docs/webhooks.md).
 *
 * Header `X-Connect-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
 * Each event has an id (`eventId` in the body, `X-Connect-Event-Id`), the same
 * on every retry, so that a receiver handles it once. A redirect is not
 * followed: it counts as a failed attempt (the signed body goes only to WEBHOOK_URL).
 * Each event also carries its session's `sequence` and `occurredAt`, so that a
 * receiver drops an older event that arrives late (a retry).
 */
import type { Config } from '../config'
import { log } from '../util/log'
import { OUTCOME_IDS, type OutcomeIds } from '../kinds/registry'
import type { Session } from '../storage/sessionRecord'

export interface WebhookEvent extends OutcomeIds {
  /** `<session id>.<status>[.<reason>][.moneyhub.<moneyhubStatus>]`: one per change of a session, repeated on retries. */
  eventId: string
  id: string
  /** The session kind; absent for a connection. */
  kind?: Session['kind']
  status: 'confirming' | 'connected' | 'authorised' | 'failed' | 'expired' | 'revoked'
  connectionId?: string
  userId?: string
  error?: string
  /** Why a payment is confirming, or why an authorised one has no id (docs/reconciliation.md). */
  reason?: string
  /** A single payment's, a standing order's or a VRP pay's final status at Moneyhub, once followed there (payments/followStatus.ts); `status` stays authorised. */
  moneyhubStatus?: string
  /** A VRP pay a person settled (POST /unresolved-sessions/:id/settle): its reference, as GET /recurring-payments/:id lists it. */
  pay?: string
  /** That pay's outcome, as the person said: `made` (with its paymentId) or `not_made`; `status` is the consent's own. */
  payStatus?: 'made' | 'not_made'
  /** This session's events in the order of its changes: 1, 2, 3…; a receiver ignores one below the last it handled. */
  sequence: number
  /** When the change was made (ISO 8601), not when this attempt was. */
  occurredAt: string
}

/** Where an event stands among its session's changes (webhookOutbox.ts counts them). */
export interface EventOrder {
  sequence: number
  occurredAt: string
}

export const SIGNATURE_HEADER = 'x-connect-signature'
export const EVENT_ID_HEADER = 'x-connect-event-id'
export function webhookEvent(session: Session, order: EventOrder): WebhookEvent | undefined {
  if (session.status === 'pending') return undefined
  return {
    eventId: `${session.id}.${session.status}${session.reason ? `.${session.reason}` : ''}${session.moneyhubStatus ? `.moneyhub.${session.moneyhubStatus}` : ''}`,
    id: session.id,
    ...(session.kind ? { kind: session.kind } : {}),
    status: session.status,
    ...Object.fromEntries(OUTCOME_IDS.filter((field) => session[field]).map((field) => [field, session[field]])),
    ...(session.connectionId ? { connectionId: session.connectionId } : {}),
    ...(session.userId ? { userId: session.userId } : {}),
    ...(session.error ? { error: session.error } : {}),
    ...(session.reason ? { reason: session.reason } : {}),
    ...(session.moneyhubStatus ? { moneyhubStatus: session.moneyhubStatus } : {}),
    sequence: order.sequence,
    occurredAt: order.occurredAt,
  }
}

/**
 * A VRP pay's final status at Moneyhub (payments/recurring.ts, followed as a payment's is): an event of the consent's
 * session, named for the pay's payment (`<session id>.pay.<paymentId>.moneyhub.<status>`), with that paymentId and
 * moneyhubStatus; `status` is the consent's own.
 */
export function payEvent(
  session: Session,
  pay: { paymentId: string; moneyhubStatus: string },
  order: EventOrder,
): WebhookEvent | undefined {
  const event = webhookEvent({ ...session, moneyhubStatus: pay.moneyhubStatus, paymentId: pay.paymentId }, order)
  return event && { ...event, eventId: `${session.id}.pay.${pay.paymentId}.moneyhub.${pay.moneyhubStatus}` }
}

/**
 * A VRP pay whose outcome was unknown, settled by a person: an event of the consent's session, named for the pay
 * (`<session id>.pay.<pay reference>.<made|not_made>`), with the pay's reference, its outcome and, when made, its
 * paymentId; `status` is the consent's own.
 */
export function paySettledEvent(
  session: Session,
  pay: { pay: string; payStatus: 'made' | 'not_made'; paymentId?: string },
  order: EventOrder,
): WebhookEvent | undefined {
  const { paymentId: _, reason: __, moneyhubStatus: ___, ...consent } = session
  const event = webhookEvent({ ...consent, ...(pay.paymentId ? { paymentId: pay.paymentId } : {}) }, order)
  return event && { ...event, eventId: `${session.id}.pay.${pay.pay}.${pay.payStatus}`, pay: pay.pay, payStatus: pay.payStatus }
}

export async function signWebhook(key: CryptoKey, timestamp: number, body: string): Promise<string> {
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${timestamp}.${body}`)))
  return `t=${timestamp},v1=${[...mac].map((b) => b.toString(16).padStart(2, '0')).join('')}`
}

/** One attempt at delivering the event; true once the receiver answered 2xx. */
export async function postWebhook(config: Config, event: WebhookEvent, attempt: number): Promise<boolean> {
  if (!config.webhook) return false
  const body = JSON.stringify(event)
  try {
    const signature = await signWebhook(config.webhook.key, Math.floor(Date.now() / 1000), body)
    const response = await fetch(config.webhook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature, [EVENT_ID_HEADER]: event.eventId },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(config.upstreamTimeoutMs),
    })
    await response.body?.cancel()
    if (response.ok) return true
    log('warn', 'webhook_refused', { sessionId: event.id, eventId: event.eventId, status: response.status, attempt })
  } catch {
    log('warn', 'webhook_unreachable', { sessionId: event.id, eventId: event.eventId, attempt })
  }
  return false
}

/** One attempt at a session's event, outside any outbox (tests); true once delivered. */
export async function deliverWebhook(
  config: Config,
  session: Session,
  order: EventOrder = { sequence: 1, occurredAt: new Date().toISOString() },
): Promise<boolean> {
  const event = webhookEvent(session, order)
  return !!event && postWebhook(config, event, 1)
}
