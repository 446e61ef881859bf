// Generated from src/client/browser.ts by `npm run build:types` (scripts/build-types.mjs). Do not edit.
// test/node/types-build.test.mjs fails when this file is out of date.

/** What a payment kind's id_token said was made (payments/kinds.ts). */
declare const OUTCOME_IDS: readonly ['paymentId', 'standingOrderId', 'recurringPaymentId', 'reversePaymentId']

type OutcomeIds = Partial<Record<(typeof OUTCOME_IDS)[number], string>>

declare const KIND_NAMES: readonly ['connection', 'payment', 'standing_order', 'recurring_payment', 'reverse_payment']

type KindName = (typeof KIND_NAMES)[number]

/**
 * `authorised`: a payment kind's final success (a connection's is `connected`).
 * `confirming`: a payment kind's code was sent and the outcome is not known
 * (not final: reconciliation asks Moneyhub, docs/reconciliation.md).
 * `revoked`: a VRP consent ended after it (payments/recurring.ts).
 */
type SessionStatus = 'authorised' | 'confirming' | 'connected' | 'expired' | 'failed' | 'pending' | 'revoked'

/** What the status API shows: never a token. */
interface Session extends OutcomeIds {
  id: string
  /** The session kind (connection/kind.ts); absent for a connection. */
  kind?: Exclude<KindName, 'connection'>
  status: SessionStatus
  bankId?: string
  userId?: string
  connectionId?: string
  scope?: string
  /** Seconds since the epoch: when a pending attempt lapses, or when the access token expires. */
  expiresAt: number
  /** With a refresh token: until when the session can be refreshed. */
  refreshableUntil?: number
  error?: string
  errorDescription?: string
  /**
   * Why a payment kind is `confirming` (e.g. upstream_timeout), or, when
   * `authorised` without its id: `id_pending` (being looked for in Moneyhub's
   * records), `id_not_found` or `id_ambiguous` (docs/reconciliation.md).
   */
  reason?: string
  /**
   * A single payment, authorised: Moneyhub's final status of it (completed, rejected, cancelled, abandoned,
   * error:…), once the alarm has read it (payments/followStatus.ts). The session's status stays `authorised`.
   */
  moneyhubStatus?: string
}

interface StartedSession {
  id: string
  authorizeUrl: string
  statusUrl: string
  expiresAt: number
  /** Only when a browser started the session: proves this page started it. */
  secret?: string
}

/** Where the helper keeps session secrets: sessionStorage in a browser. */
interface SecretStore {
  getItem(key: string): null | string
  setItem(key: string, value: string): void
}

declare class ConnectError extends Error {
  readonly code: string
  readonly status: number
  constructor(code: string, message: string, status: number)
}

interface Common {
  /** The proxy's origin, e.g. https://connect.example.com */
  baseUrl: string
  /** For tests and non-browser runtimes. */
  fetch?: typeof fetch
  /** Default: sessionStorage. */
  storage?: SecretStore
}

interface ConnectOptions extends Common {
  bankId?: string
  returnTo?: string
  /** Where to send the browser; default: location.assign. */
  navigate?: (url: string) => void
}

/** The secret this page holds for a session it started, if any. */
declare function sessionSecret(
  id: string,
  options?: {
    storage?: SecretStore
  },
): string | undefined

/** Starts a session and sends the browser to the identity server. */
declare function connectBank(options: ConnectOptions): Promise<StartedSession>

/**
 * What the proxy appended to returnTo: ?session=<id>&status=…[&error=…], for a
 * session this tab started with connectBank. Anyone can make such a link (for a
 * session of their own, with their bank): a session this tab holds no secret for
 * is refused with ConnectError `session_not_started_here`, never returned.
 */
declare function sessionFromReturn(
  url?: string,
  options?: {
    storage?: SecretStore
  },
):
  | undefined
  | {
      session: string
      status: SessionStatus
      error?: string
    }

/** The session's status once it leaves `pending` (and a payment's `confirming`) (long-polling the proxy), or the last one seen after `timeoutSeconds`. */
declare function waitForStatus(
  id: string,
  options: Common & {
    timeoutSeconds?: number
  },
): Promise<Session>

export {
  Session,
  SessionStatus,
  StartedSession,
  SecretStore,
  ConnectError,
  ConnectOptions,
  sessionSecret,
  connectBank,
  sessionFromReturn,
  waitForStatus,
}
