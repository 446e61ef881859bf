/**
 * The mock's memory. One isolate serves `wrangler dev` and the tests, so plain
 * Maps are enough; every entry carries its own expiry and is single-use where
 * the real server makes it so.
 */
export interface AuthParams {
  client_id: string
  response_type: string
  response_mode?: string
  redirect_uri: string
  scope: string
  state: string
  nonce: string
  prompt: string
  claims: { id_token: Record<string, { essential?: boolean; value?: unknown } | null> }
  code_challenge: string
  code_challenge_method: string
}

/** What the user granted: shared by the code and every refresh token issued from it. */
export interface Grant {
  params: AuthParams
  /** How the token endpoint misbehaves for this grant (faults.ts). */
  fault?: string
  delayMs?: number
  /** Access token lifetime for this grant, when the test sets one (expires_in at /auth). */
  expiresIn?: number
  sub: string
  conId: string
  bankId?: string
  scope: string
  revoked?: boolean
}

export interface IssuedRefreshToken {
  grant: Grant
  used: boolean
}

export interface Recorded {
  at: number
  endpoint: string
  /** The form or query as received. */
  params: Record<string, string>
  status: number
  answer?: Record<string, unknown>
}

export const pushed = new Map<string, { params: AuthParams; expiresAt: number }>()
export const codes = new Map<string, Grant & { expiresAt: number; used: boolean }>()
export const refreshTokens = new Map<string, IssuedRefreshToken>()
export const accessTokens = new Map<string, Grant>()
export const webhooks: { at: number; headers: Record<string, string>; body: string; answered: number }[] = []
/** Sessions whose webhooks the test receiver refuses (503) until a time (ms). */
export const webhookOutages = new Map<string, number>()
/** Deliveries still to refuse, per session (POST /__mock/webhooks/refuse). */
export const webhookRefusals = new Map<string, number>()
/** Deliveries still to hold unanswered, per session, and for how long (ms): an attempt that never ends (POST /__mock/webhooks/hold). */
export const webhookHolds = new Map<string, { count: number; ms: number }>()
export const usedJtis = new Map<string, number>()
export const recorded: Recorded[] = []

export const now = () => Math.floor(Date.now() / 1000)

export function record(entry: Omit<Recorded, 'at'>) {
  recorded.push({ at: Date.now(), ...entry })
  // Assumption (project): the record is for tests; bounded so a long `npm run dev` does not grow.
  if (recorded.length > 5000) recorded.splice(0, recorded.length - 5000)
}

/** Forget what has expired, so a long `npm run dev` does not grow. */
export function sweep() {
  const t = now()
  for (const [k, v] of pushed) if (v.expiresAt < t) pushed.delete(k)
  // Assumption (project): a spent code is remembered 10 minutes past its expiry, so its reuse is still detected.
  for (const [k, v] of codes) if (v.expiresAt < t - 600) codes.delete(k)
  for (const [k, exp] of usedJtis) if (exp < t - 600) usedJtis.delete(k)
}
