/**
 * Configuration: read from the Worker's env, validated and turned into keys
 * once per isolate (env is the same object for every request of an isolate,
 * so a WeakMap keyed on it is the cache). Every missing or malformed value is
 * collected, and ConfigError lists them all at once, each naming its variable
 * and what is wrong, never echoing a value. `npm run dev` runs this same code
 * before it says "Ready" (scripts/lib/checkConfig.mjs).
 */
import { importJWK, type JWK } from 'jose'
import * as v from 'valibot'
import { fromBase64Url, sha256 } from './util/encoding'
import { looseObject, object, picklist } from './util/valibot'
import { isLoopbackHost } from './util/urls'
import { coveredSeconds, WEBHOOK_QUEUE_MAX_RETRIES } from './session/webhookSchedule'

/** Default RECONCILIATION_FIRST_DELAY_SECONDS: the first look at Moneyhub's records (payments/reconciliation.ts). */
export const RECONCILIATION_FIRST_DELAY_S = 20
/**
 * Default RECONCILIATION_WINDOW_SECONDS: an authorisation code lives 10
 * minutes (Assumption (project): node-oidc-provider's default, which Moneyhub's
 * identity server is built on), so no exchange of it can make a payment later;
 * 5 more minutes for Moneyhub's list to show it.
 */
export const RECONCILIATION_WINDOW_S = 900

export const SIGNING_ALGS = ['RS256', 'PS256', 'ES256'] as const
export type SigningAlg = (typeof SIGNING_ALGS)[number]

export interface SigningKey {
  kid: string
  alg: SigningAlg
  key: CryptoKey
}

export interface EncryptionKey {
  /** Short id written beside each sealed value, so that a rotated-out key can still open old records. */
  kid: string
  key: CryptoKey
}

export interface Config {
  issuer: string
  /** The identity server's base for users (and payees, payments): MONEYHUB_IDENTITY_URL, else the issuer without its trailing /oidc. */
  identityUrl: string
  /** How long GET /banks serves its cached copy of the published bank list before fetching it again. */
  bankListMaxAgeSeconds: number
  /** The health mark on GET /banks (health/window.ts markOf), and how long an isolate reuses the marks. */
  health: { minAttempts: number; degradedBelowPercent: number; failingBelowPercent: number; markMaxAgeSeconds: number }
  clientId: string
  redirectUri: string
  allowedOrigins: ReadonlySet<string>
  /** ENVIRONMENT=production: settings meant for development (http://localhost origins) are refused. */
  production: boolean
  /** ISSUER_ENDPOINT_ORIGINS: origins besides the issuer's that discovery may name for endpoints. */
  issuerEndpointOrigins: ReadonlySet<string>
  defaultBankSelector: string
  sessionTtlSeconds: number
  /**
   * A client assertion's `aud` at every endpoint: `token`, the token endpoint (Moneyhub's reference for POST /oidc/request:
   * "The aud property should be the token endpoint"); `endpoint`, the endpoint it is sent to; `issuer`, the issuer identifier.
   */
  clientAssertionAudience: 'token' | 'endpoint' | 'issuer'
  /**
   * The request object signing algorithm registered for the client in Moneyhub's admin portal: with an algorithm, the
   * pushed authorization request carries a signed request object (RFC 9126 §3); with `none`, plain parameters.
   */
  requestObjectSigningAlg: SigningAlg | 'none'
  upstreamTimeoutMs: number
  /** `code` (default), or Moneyhub's recommended hybrid `code id_token`, answered by form_post to POST /callback. */
  responseType: 'code' | 'code id_token'
  /** How long a refresh token is kept when the server does not say how long it lives. */
  refreshRetentionSeconds: number
  /** How long the status of an expired session stays readable, without tokens. */
  expiredStatusSeconds: number
  /** Reconciliation (docs/reconciliation.md): the first look at Moneyhub's records, and how long the window stays open. */
  reconciliationFirstDelaySeconds: number
  reconciliationWindowSeconds: number
  /** Where session outcomes are POSTed, signed with HMAC-SHA256; undefined when not configured. */
  webhook?: { url: string; key: CryptoKey }
  /** When a refused webhook is tried again (session/webhookRetries.ts): the first delay, doubling to the cap, until giving up. */
  webhookRetry: { firstSeconds: number; maxSeconds: number; giveUpSeconds: number }
  /** The first key of CLIENT_PRIVATE_JWKS: it signs every request object and client assertion. */
  signingKey: SigningKey
  /** Public halves of every key in CLIENT_PRIVATE_JWKS, served at /.well-known/jwks.json. */
  publicJwks: { keys: JWK[] }
  /** TOKEN_ENCRYPTION_KEY, first one seals, all of them open. */
  encryptionKeys: readonly EncryptionKey[]
  /** HMAC key for session ids derived from an Idempotency-Key: HKDF of the first TOKEN_ENCRYPTION_KEY (routes/payments.ts). */
  sessionIdKey: CryptoKey
  /** SHA-256 of BACKEND_API_KEY, compared in constant time. */
  backendKeyDigest: ArrayBuffer
  /** SHA-256 of HEALTH_API_KEY (GET /banks/health, read-only); none: the route is closed. */
  healthKeyDigest?: ArrayBuffer
}

/** One thing wrong with one variable: `${variable} ${problem}`. */
export class ConfigProblem extends Error {
  constructor(
    readonly variable: string,
    readonly problem: string,
  ) {
    super(`${variable} ${problem}`)
    this.name = 'ConfigProblem'
  }
}

/** Every problem found in the settings, in the order of the table in docs/configuration.md. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(problems.map((p) => p.message).join('; '))
    this.name = 'ConfigError'
  }
}

const httpsUrl = (variable: string, value: string | undefined): URL => {
  if (!value) throw new ConfigProblem(variable, 'is missing')
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new ConfigProblem(variable, 'is not an absolute URL')
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw new ConfigProblem(variable, 'must use https (http is allowed only for localhost and 127.0.0.1)')
  }
  if (url.hash || url.username || url.password) throw new ConfigProblem(variable, 'must not have a fragment or credentials')
  return url
}

const positiveInt = (variable: string, value: string | undefined, fallback: number, min: number, max: number) => {
  if (value === undefined || value === '') return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigProblem(variable, `must be an integer from ${min} to ${max}`)
  return n
}

const PrivateJwkSchema = looseObject({
  kid: v.pipe(v.string(), v.minLength(1)),
  alg: picklist(SIGNING_ALGS),
  kty: picklist(['RSA', 'EC']),
  d: v.pipe(v.string(), v.minLength(1)),
})
const PrivateJwksSchema = object({ keys: v.pipe(v.array(PrivateJwkSchema), v.minLength(1)) })

const PUBLIC_MEMBERS = ['kty', 'kid', 'alg', 'n', 'e', 'crv', 'x', 'y'] as const

async function readSigningKeys(value: string | undefined) {
  const variable = 'CLIENT_PRIVATE_JWKS'
  if (!value) throw new ConfigProblem(variable, 'is missing')
  let parsed: unknown
  try {
    parsed = JSON.parse(value)
  } catch {
    throw new ConfigProblem(variable, 'is not valid JSON')
  }
  const result = v.safeParse(PrivateJwksSchema, parsed)
  if (!result.success) {
    throw new ConfigProblem(variable, 'must be a JWK Set of private keys, each with "kid" and "alg" (RS256, PS256 or ES256)')
  }
  const kids = new Set<string>()
  const publicKeys: JWK[] = []
  let signingKey: SigningKey | undefined
  for (const jwk of result.output.keys) {
    if (kids.has(jwk.kid)) throw new ConfigProblem(variable, `has two keys with kid "${jwk.kid}"`)
    kids.add(jwk.kid)
    if ((jwk.alg === 'ES256') !== (jwk.kty === 'EC')) throw new ConfigProblem(variable, `key "${jwk.kid}" does not fit its alg`)
    let key: CryptoKey
    try {
      key = (await importJWK({ ...jwk, ext: false, key_ops: ['sign'] } as JWK, jwk.alg)) as CryptoKey
    } catch {
      throw new ConfigProblem(variable, `key "${jwk.kid}" cannot be imported as a private ${jwk.alg} key`)
    }
    signingKey ??= { kid: jwk.kid, alg: jwk.alg, key }
    const pub: Record<string, unknown> = { use: 'sig' }
    for (const m of PUBLIC_MEMBERS) if (jwk[m] !== undefined) pub[m] = jwk[m]
    publicKeys.push(pub as JWK)
  }
  return { signingKey: signingKey!, publicJwks: { keys: publicKeys } }
}

async function readEncryptionKeys(value: string | undefined): Promise<EncryptionKey[]> {
  const variable = 'TOKEN_ENCRYPTION_KEY'
  if (!value) throw new ConfigProblem(variable, 'is missing')
  const keys: EncryptionKey[] = []
  for (const part of value.split(',').map((s) => s.trim())) {
    let raw: Uint8Array
    try {
      raw = fromBase64Url(part)
    } catch {
      throw new ConfigProblem(variable, 'must be base64url (comma-separated for rotation)')
    }
    if (raw.length !== 32) throw new ConfigProblem(variable, 'must be 32 bytes, base64url-encoded')
    const kid = (await sha256(raw)).slice(0, 8)
    const key = await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt'])
    keys.push({ kid, key })
  }
  return keys
}

/** RFC 5869 HKDF from the first TOKEN_ENCRYPTION_KEY: a key of its own, so the sealing key never signs anything. */
async function deriveSessionIdKey(value: string): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', fromBase64Url(value.split(',')[0]!.trim()), 'HKDF', false, ['deriveKey'])
  const info = new TextEncoder().encode('session id from Idempotency-Key')
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info },
    base,
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
}

function readOrigins(variable: string, value: string | undefined, production = false): Set<string> {
  const origins = new Set<string>()
  const entries = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  for (const [index, entry] of entries.entries()) {
    // Each problem names its entry by position (never its value: a setting's value is never echoed), so a list of ten
    // origins is not searched by hand.
    const which = `entry ${index + 1} of ${entries.length}`
    let url: URL
    try {
      url = httpsUrl(variable, entry)
    } catch (error) {
      if (error instanceof ConfigProblem) throw new ConfigProblem(variable, `${which} ${error.problem}`)
      throw error
    }
    if (url.origin !== entry.replace(/\/$/, '')) {
      throw new ConfigProblem(variable, `${which} is not a bare origin: list bare origins (scheme://host[:port]), comma-separated`)
    }
    // A page on the developer's own machine has no business starting real users' sessions.
    if (production && url.protocol !== 'https:')
      throw new ConfigProblem(variable, `${which} is http: must not list http origins outside development (ENVIRONMENT)`)
    origins.add(url.origin)
  }
  return origins
}

async function readWebhook(url: string | undefined, secret: string | undefined) {
  if (!url && !secret) return {}
  const target = httpsUrl('WEBHOOK_URL', url)
  if (!secret || secret.length < 16) throw new ConfigProblem('WEBHOOK_SECRET', 'must be set, at least 16 characters, when WEBHOOK_URL is')
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  return { webhook: { url: target.href, key } }
}

function readHealth(env: Env): Config['health'] {
  const degradedBelowPercent = positiveInt('HEALTH_DEGRADED_BELOW_PERCENT', env.HEALTH_DEGRADED_BELOW_PERCENT, 80, 0, 100)
  const failingBelowPercent = positiveInt('HEALTH_FAILING_BELOW_PERCENT', env.HEALTH_FAILING_BELOW_PERCENT, 50, 0, 100)
  if (failingBelowPercent > degradedBelowPercent)
    throw new ConfigProblem('HEALTH_FAILING_BELOW_PERCENT', 'must not be above HEALTH_DEGRADED_BELOW_PERCENT')
  return {
    minAttempts: positiveInt('HEALTH_MIN_ATTEMPTS', env.HEALTH_MIN_ATTEMPTS, 5, 1, 1_000_000),
    degradedBelowPercent,
    failingBelowPercent,
    markMaxAgeSeconds: positiveInt('HEALTH_MARK_MAX_AGE_SECONDS', env.HEALTH_MARK_MAX_AGE_SECONDS, 60, 0, 3600),
  }
}

/**
 * The webhook retry schedule (session/webhookSchedule.ts). Each bad value is its own problem; and the schedule must
 * reach WEBHOOK_GIVE_UP_SECONDS within the queue's redeliveries (`max_retries`), or the queue would dead-letter an
 * event before the give-up time the settings promise.
 */
function readWebhookRetry(env: Env, note: (problem: ConfigProblem) => void): Config['webhookRetry'] | undefined {
  const read = (variable: string, value: string | undefined, fallback: number, min: number, max: number) => {
    try {
      return positiveInt(variable, value, fallback, min, max)
    } catch (problem) {
      if (!(problem instanceof ConfigProblem)) throw problem
      note(problem)
      return undefined
    }
  }
  const firstSeconds = read('WEBHOOK_RETRY_FIRST_SECONDS', env.WEBHOOK_RETRY_FIRST_SECONDS, 30, 1, 30)
  const maxSeconds = read('WEBHOOK_RETRY_MAX_SECONDS', env.WEBHOOK_RETRY_MAX_SECONDS, 3600, firstSeconds ?? 1, 3600)
  const giveUpSeconds = read('WEBHOOK_GIVE_UP_SECONDS', env.WEBHOOK_GIVE_UP_SECONDS, 72 * 3600, 1, 84 * 3600)
  if (firstSeconds === undefined || maxSeconds === undefined || giveUpSeconds === undefined) return undefined // noted
  if (coveredSeconds({ firstSeconds, maxSeconds }) < giveUpSeconds)
    throw new ConfigProblem(
      'WEBHOOK_RETRY_MAX_SECONDS',
      `is too short for WEBHOOK_GIVE_UP_SECONDS: the queue retries an event at most ${WEBHOOK_QUEUE_MAX_RETRIES} times (max_retries in wrangler.toml), ` +
        'which at these delays ends before the give-up time; raise WEBHOOK_RETRY_MAX_SECONDS (or WEBHOOK_RETRY_FIRST_SECONDS), or lower WEBHOOK_GIVE_UP_SECONDS',
    )
  return { firstSeconds, maxSeconds, giveUpSeconds }
}

const BANK_SELECTOR = /^id:[A-Za-z0-9_-]{1,64}$/

export async function readConfig(env: Env): Promise<Config> {
  const problems: ConfigProblem[] = []
  /** Runs one check; a problem is noted (and the value left undefined) so that the next checks still run. */
  const check = async <T>(read: () => T | Promise<T>): Promise<T | undefined> => {
    try {
      return await read()
    } catch (error) {
      if (!(error instanceof ConfigProblem)) throw error
      problems.push(error)
      return undefined
    }
  }
  // Kept exactly as written: the discovery document's issuer must equal it character for character (OIDC Discovery §4.3).
  const issuer = env.MONEYHUB_ISSUER || 'https://identity.moneyhub.co.uk/oidc'
  await check(() => {
    if (httpsUrl('MONEYHUB_ISSUER', issuer).search) throw new ConfigProblem('MONEYHUB_ISSUER', 'must not have a query')
  })
  await check(() => {
    if (!env.MONEYHUB_CLIENT_ID) throw new ConfigProblem('MONEYHUB_CLIENT_ID', 'is missing')
  })
  const redirectUri = await check(() => {
    const url = httpsUrl('MONEYHUB_REDIRECT_URI', env.MONEYHUB_REDIRECT_URI)
    if (url.search) throw new ConfigProblem('MONEYHUB_REDIRECT_URI', 'must not have a query')
    return url
  })
  const environment = env.ENVIRONMENT || 'development'
  const production = environment === 'production'
  const allowedOrigins = await check(() => readOrigins('ALLOWED_ORIGINS', env.ALLOWED_ORIGINS, production))
  const defaultBankSelector = env.DEFAULT_BANK_SELECTOR || 'id:all'
  await check(() => {
    if (!BANK_SELECTOR.test(defaultBankSelector))
      throw new ConfigProblem('DEFAULT_BANK_SELECTOR', 'must look like id:all, id:test or id:<bankId>')
  })
  const sessionTtlSeconds = await check(() => positiveInt('SESSION_TTL_SECONDS', env.SESSION_TTL_SECONDS, 600, 60, 3600))
  const audience = env.CLIENT_ASSERTION_AUDIENCE || 'token'
  await check(() => {
    if (audience !== 'token' && audience !== 'endpoint' && audience !== 'issuer')
      throw new ConfigProblem('CLIENT_ASSERTION_AUDIENCE', 'must be "token", "endpoint" or "issuer"')
  })
  const responseType = env.RESPONSE_TYPE || 'code'
  await check(() => {
    if (responseType !== 'code' && responseType !== 'code id_token')
      throw new ConfigProblem('RESPONSE_TYPE', 'must be "code" or "code id_token"')
  })
  const upstreamTimeoutMs = await check(() => positiveInt('UPSTREAM_TIMEOUT_MS', env.UPSTREAM_TIMEOUT_MS, 10_000, 100, 60_000))
  const refreshRetentionSeconds = await check(() =>
    positiveInt('REFRESH_TOKEN_RETENTION_SECONDS', env.REFRESH_TOKEN_RETENTION_SECONDS, 90 * 86_400, 60, 400 * 86_400),
  )
  const expiredStatusSeconds = await check(() => positiveInt('EXPIRED_STATUS_SECONDS', env.EXPIRED_STATUS_SECONDS, 86_400, 60, 30 * 86_400))
  const reconciliationFirstDelaySeconds = await check(() =>
    positiveInt('RECONCILIATION_FIRST_DELAY_SECONDS', env.RECONCILIATION_FIRST_DELAY_SECONDS, RECONCILIATION_FIRST_DELAY_S, 1, 30),
  )
  const reconciliationWindowSeconds = await check(() =>
    positiveInt('RECONCILIATION_WINDOW_SECONDS', env.RECONCILIATION_WINDOW_SECONDS, RECONCILIATION_WINDOW_S, 1, 7 * 86_400),
  )
  const webhook = await check(() => readWebhook(env.WEBHOOK_URL, env.WEBHOOK_SECRET))
  // Queues hold a message 4 days by default and delay a retry by at most 12 h: giving up stays inside both.
  const webhookRetry = await check(() => readWebhookRetry(env, (problem) => problems.push(problem)))
  const signing = await check(() => readSigningKeys(env.CLIENT_PRIVATE_JWKS))
  // Default: the signing key's own algorithm, which README "Registering the client" tells operators to register.
  const requestObjectSigningAlg = await check(() => {
    const value = env.REQUEST_OBJECT_SIGNING_ALG || signing?.signingKey.alg
    if (value === 'none' || (signing && value === signing.signingKey.alg)) return value
    if (!signing) return undefined
    throw new ConfigProblem(
      'REQUEST_OBJECT_SIGNING_ALG',
      `must be "none" or the signing key's algorithm (${signing.signingKey.alg}, the first key of CLIENT_PRIVATE_JWKS)`,
    )
  })
  const encryptionKeys = await check(() => readEncryptionKeys(env.TOKEN_ENCRYPTION_KEY))
  await check(() => {
    if (!env.BACKEND_API_KEY) throw new ConfigProblem('BACKEND_API_KEY', 'is missing')
    if (env.BACKEND_API_KEY.length < 16) throw new ConfigProblem('BACKEND_API_KEY', 'must be at least 16 characters')
  })
  await check(() => {
    // The dashboard's read-only key: a page keeps it, so it must never be the backend key (docs/bank-health.md).
    if (!env.HEALTH_API_KEY) return
    if (env.HEALTH_API_KEY.length < 16) throw new ConfigProblem('HEALTH_API_KEY', 'must be at least 16 characters')
    if (env.HEALTH_API_KEY === env.BACKEND_API_KEY) throw new ConfigProblem('HEALTH_API_KEY', 'must not be BACKEND_API_KEY')
  })
  await check(() => {
    if (!env.SESSIONS) throw new ConfigProblem('SESSIONS', 'KV binding is missing')
  })
  await check(() => {
    if (environment !== 'development' && environment !== 'production')
      throw new ConfigProblem('ENVIRONMENT', 'must be "development" or "production"')
  })
  const issuerEndpointOrigins = await check(() => readOrigins('ISSUER_ENDPOINT_ORIGINS', env.ISSUER_ENDPOINT_ORIGINS, production))
  const identityUrl = await check(() => {
    const url = httpsUrl('MONEYHUB_IDENTITY_URL', env.MONEYHUB_IDENTITY_URL || issuer.replace(/\/oidc\/?$/, ''))
    if (url.search) throw new ConfigProblem('MONEYHUB_IDENTITY_URL', 'must not have a query')
    return url
  })
  const bankListMaxAgeSeconds = await check(() => positiveInt('BANK_LIST_MAX_AGE_SECONDS', env.BANK_LIST_MAX_AGE_SECONDS, 300, 0, 86_400))
  const health = await check(() => readHealth(env))
  if (problems.length) throw new ConfigError(problems)

  return {
    issuer,
    identityUrl: identityUrl!.href.replace(/\/$/, ''),
    bankListMaxAgeSeconds: bankListMaxAgeSeconds!,
    health: health!,
    clientId: env.MONEYHUB_CLIENT_ID,
    redirectUri: redirectUri!.href,
    allowedOrigins: allowedOrigins!,
    production,
    issuerEndpointOrigins: issuerEndpointOrigins!,
    defaultBankSelector,
    sessionTtlSeconds: sessionTtlSeconds!,
    clientAssertionAudience: audience as Config['clientAssertionAudience'],
    requestObjectSigningAlg: requestObjectSigningAlg!,
    responseType: responseType as Config['responseType'],
    upstreamTimeoutMs: upstreamTimeoutMs!,
    refreshRetentionSeconds: refreshRetentionSeconds!,
    expiredStatusSeconds: expiredStatusSeconds!,
    reconciliationFirstDelaySeconds: reconciliationFirstDelaySeconds!,
    reconciliationWindowSeconds: reconciliationWindowSeconds!,
    ...webhook,
    webhookRetry: webhookRetry!,
    signingKey: signing!.signingKey,
    publicJwks: signing!.publicJwks,
    encryptionKeys: encryptionKeys!,
    sessionIdKey: await deriveSessionIdKey(env.TOKEN_ENCRYPTION_KEY!),
    backendKeyDigest: await crypto.subtle.digest('SHA-256', new TextEncoder().encode(env.BACKEND_API_KEY)),
    ...(env.HEALTH_API_KEY ? { healthKeyDigest: await crypto.subtle.digest('SHA-256', new TextEncoder().encode(env.HEALTH_API_KEY)) } : {}),
  }
}

const cache = new WeakMap<object, Promise<Config>>()

/** The validated config for this env, computed once per isolate. Failures are not cached, so a fixed secret takes effect. */
export function getConfig(env: Env): Promise<Config> {
  let config = cache.get(env)
  if (!config) {
    config = readConfig(env)
    cache.set(env, config)
    config.catch(() => cache.delete(env))
  }
  return config
}
