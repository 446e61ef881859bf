/**
 * The bench-only Worker: the proxy itself (every non-bench route goes to it
 * unchanged) plus what the benchmark needs to measure in the same workerd:
 *   /__bench/bare           a constant: what the host costs per request
 *   /__bench/kv?op=put|get  one KV operation: what the local KV simulation costs
 *   /__bench/crypto?n=N     the flow's cryptography N times: the physical floor
 *   /__bench/ratelimit      one rate-limiter call: what the local simulation of that binding costs
 *   /__bench/do?op=call|read|write|alarm&k=  one call to a fresh Durable Object (BenchProbe) doing nothing, one storage
 *                           read, one storage write, or setting its alarm: what the local simulation of each costs
 *                           (the same k again: a call to a running object)
 *   /__bench/queue?k=       one Queue send (to the dead-letter queue, which has no consumer)
 *   /__bench/ae?k=          one Analytics Engine data point
 *   /__bench/subrequest?n=  n outbound POSTs to the identity server: what a subrequest costs here
 *   /__bench/log            one log line: what wrangler dev's console forwarding costs
 *   /__bench/inproc?path=   n calls of one route inside the isolate: the app's own cost, without the host (&quiet: logs unprinted)
 *   /__bench/nolimitsim/…   the proxy's route …, with the rate limiters answering at once: the status route without
 *                           wrangler dev's simulation of that binding (on Cloudflare a local counter)
 *   /__bench/counting?on=0|1  bank health counting (src/health/count.ts) off or on, for the A/B phase
 *   /__bench/count?n=       n connections' worth of counting (started, opened, outcome) and nothing else
 *   /__bench/counters       binding operations made by the proxy and its Durable Objects since the last ?reset=1:
 *                           KV operations, rate-limiter calls, Durable Object calls (the sessions' objects, the client
 *                           gates, the refund ledgers, and the bank-health objects, counted where they are called),
 *                           Durable Object storage reads and writes, Queue sends, Analytics Engine data points
 * Never deployed; `npm run bench` runs it under `wrangler dev`.
 */
import { DurableObject } from 'cloudflare:workers'
import { generateKeyPair, jwtVerify, SignJWT } from 'jose'
import app, {
  BankHealth as BankHealth_,
  ClientGate as ClientGate_,
  MoneyhubIdIndex as MoneyhubIdIndex_,
  RefundLedger as RefundLedger_,
  SessionCoordinator as SessionCoordinator_,
} from '../src/index'
import { counting, countOpened, countOutcome, countStarted } from '../src/health/count'
import type { QueuedWebhook } from '../src/session/webhookRetries'
import type { StoredSession } from '../src/storage/sessionRecord'
import type { HealthEvent } from '../src/health/window'
import type { BriefSlot } from '../src/objects/bankHealth'

const zero = () => ({
  get: 0,
  put: 0,
  delete: 0,
  list: 0,
  limit: 0,
  logLines: 0,
  durableObjectCalls: 0,
  /** Of those, the first call to an object (it is made then): wrangler dev makes its SQLite database. */
  freshDurableObjectCalls: 0,
  storageReads: 0,
  storageWrites: 0,
  alarmWrites: 0,
  queueSends: 0,
  analyticsWrites: 0,
})
const counts = zero()
let envsSeen = 0

// Count the proxy's log lines (their forwarding is a wrangler dev cost, measured by /__bench/log).
for (const method of ['log', 'warn', 'error'] as const) {
  const original = console[method].bind(console)
  console[method] = (...args: unknown[]) => {
    counts.logLines++
    original(...args)
  }
}
let wrapped: { original: Env; env: Env } | undefined

/** The objects called so far (their ids): a call to any other is its first. */
const objectsCalled = new Set<string>()

/** A Durable Object namespace whose stubs count the calls made through them, and which of them are an object's first. */
function countingNamespace<T extends DurableObjectNamespace<any>>(namespace: T): T {
  return new Proxy(namespace, {
    get(target, property) {
      const value = Reflect.get(target, property)
      if (property !== 'get' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value
      return (...args: unknown[]) => {
        const stub = value.apply(target, args)
        const id = String(args[0])
        return new Proxy(stub, {
          get(stubTarget, method) {
            const member = Reflect.get(stubTarget, method)
            if (typeof member !== 'function' || method === 'then') return member
            return (...callArgs: unknown[]) => {
              counts.durableObjectCalls++
              if (!objectsCalled.has(id)) {
                objectsCalled.add(id)
                counts.freshDurableObjectCalls++
              }
              return Reflect.apply(member, stubTarget, callArgs) // not member.apply: an RPC stub answers any property
            }
          },
        })
      }
    },
  })
}

const STORAGE_READS = new Set(['get', 'list', 'getAlarm'])
const STORAGE_WRITES = new Set(['put', 'delete', 'deleteAll'])
const ALARM_WRITES = new Set(['setAlarm', 'deleteAlarm'])

/**
 * The same Durable Object state, its storage counting its reads and writes (one call, one operation, however many
 * keys). The methods are wrapped on the storage object itself: workerd accepts only its own DurableObjectState.
 */
function countingState(ctx: DurableObjectState): DurableObjectState {
  const storage = ctx.storage as unknown as Record<string, (...args: unknown[]) => unknown>
  for (const method of [...STORAGE_READS, ...STORAGE_WRITES, ...ALARM_WRITES]) {
    const original = storage[method]
    if (typeof original !== 'function') continue
    const counter = STORAGE_READS.has(method) ? 'storageReads' : ALARM_WRITES.has(method) ? 'alarmWrites' : 'storageWrites'
    storage[method] = (...args: unknown[]) => {
      counts[counter]++
      return original.apply(ctx.storage, args)
    }
  }
  return ctx
}

/** The session's Durable Object with its KV operations and storage counted too (its env is its own object). */
export class SessionCoordinator extends SessionCoordinator_ {
  constructor(ctx: DurableObjectState, env: Env) {
    super(countingState(ctx), countingEnv(env, false))
  }
}

export class ClientGate extends ClientGate_ {
  constructor(ctx: DurableObjectState, env: Env) {
    super(countingState(ctx), countingEnv(env, false))
  }
}

export class RefundLedger extends RefundLedger_ {
  constructor(ctx: DurableObjectState, env: Env) {
    super(countingState(ctx), countingEnv(env, false))
  }
}

export class MoneyhubIdIndex extends MoneyhubIdIndex_ {
  constructor(ctx: DurableObjectState, env: Env) {
    super(countingState(ctx), countingEnv(env, false))
  }
}

/** The bank-health objects: called through the global env (src/health/count.ts), so their calls are counted here, as they arrive. */
export class BankHealth extends BankHealth_ {
  constructor(ctx: DurableObjectState, env: Env) {
    super(countingState(ctx), countingEnv(env, false))
  }
  private called = false
  override count(events: HealthEvent[]) {
    this.counted()
    return super.count(events)
  }
  override report(bank: string, slots: BriefSlot[]) {
    this.counted()
    return super.report(bank, slots)
  }
  private counted() {
    counts.durableObjectCalls++
    if (!this.called) counts.freshDurableObjectCalls++
    this.called = true
  }
}

/** For the calibration: a Durable Object that does nothing, or one storage read, one storage write, or sets its alarm. */
export class BenchProbe extends DurableObject<Env> {
  async call(op: string, key: string): Promise<void> {
    if (op === 'read') await this.ctx.storage.get(key)
    else if (op === 'write') await this.ctx.storage.put(key, 'x'.repeat(200))
    else if (op === 'alarm') await this.ctx.storage.setAlarm(Date.now() + 3_600_000)
  }
  async alarm(): Promise<void> {}
}

/** The same env, with SESSIONS counted; made once per isolate so the proxy's per-env caches still hit. */
function countingEnv(env: Env, worker = true): Env {
  if (worker && wrapped?.original === env) return wrapped.env
  if (worker) envsSeen++
  const kv = env.SESSIONS
  const sessions = new Proxy(kv, {
    get(target, property) {
      const value = Reflect.get(target, property)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        if (property in counts) counts[property as keyof typeof counts]++
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
  // The rate limiters are simulated in workerd too: count their calls.
  const limiter = (binding: RateLimit): RateLimit => ({
    limit: (options) => {
      counts.limit++
      return binding.limit(options)
    },
  })
  const queue = <T>(binding: Queue<T>): Queue<T> =>
    new Proxy(binding, {
      get(target, property) {
        const value = Reflect.get(target, property)
        if (typeof value !== 'function') return value
        return (...args: unknown[]) => {
          if (property === 'send' || property === 'sendBatch') counts.queueSends++
          return Reflect.apply(value, target, args)
        }
      },
    })
  const events = env.BANK_HEALTH_EVENTS
  const counted = {
    ...env,
    SESSIONS: sessions,
    WEBHOOK_RETRIES: queue(env.WEBHOOK_RETRIES),
    WEBHOOK_DEAD_LETTERS: queue(env.WEBHOOK_DEAD_LETTERS),
    ...(events
      ? {
          BANK_HEALTH_EVENTS: {
            writeDataPoint: (point?: AnalyticsEngineDataPoint) => {
              counts.analyticsWrites++
              events.writeDataPoint(point)
            },
          },
        }
      : {}),
    START_LIMITER: limiter(env.START_LIMITER),
    CALLBACK_LIMITER: limiter(env.CALLBACK_LIMITER),
    STATUS_LIMITER: limiter(env.STATUS_LIMITER),
    SESSION_COORDINATOR: countingNamespace(env.SESSION_COORDINATOR),
    CLIENT_GATE: countingNamespace(env.CLIENT_GATE),
    REFUND_LEDGER: countingNamespace(env.REFUND_LEDGER),
  }
  if (worker) wrapped = { original: env, env: counted }
  return counted
}

let unlimited: { original: Env; env: Env } | undefined

/** The same env with every rate limiter allowing at once (made once, so the proxy's per-env caches hit). */
function withoutLimiterSimulation(env: Env): Env {
  if (unlimited?.original === env) return unlimited.env
  const allow: RateLimit = { limit: async () => ({ success: true }) }
  unlimited = { original: env, env: { ...env, START_LIMITER: allow, CALLBACK_LIMITER: allow, STATUS_LIMITER: allow } }
  return unlimited.env
}

let cryptoKeys: ReturnType<typeof makeCryptoKeys> | undefined

async function makeCryptoKeys() {
  const client = await generateKeyPair('RS256', { modulusLength: 2048 })
  const issuer = await generateKeyPair('RS256', { modulusLength: 2048 })
  const aes = (await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])) as CryptoKey
  const now = Math.floor(Date.now() / 1000)
  const idToken = await new SignJWT({ nonce: 'n', at_hash: 'x' })
    .setProtectedHeader({ alg: 'RS256', kid: 'k' })
    .setIssuer('https://issuer.example')
    .setAudience('client')
    .setSubject('user')
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(issuer.privateKey)
  return { client, issuer, aes, idToken }
}

/** Per connection the flow must sign three JWTs (request object, PAR assertion, token assertion), verify one id_token, and seal a token set. */
async function cryptoFloor(n: number) {
  const { client, issuer, aes, idToken } = await (cryptoKeys ??= makeCryptoKeys())
  const tokenSet = new TextEncoder().encode(
    JSON.stringify({ access_token: 'a'.repeat(900), id_token: idToken, token_type: 'Bearer', scope: 'id:x openid', expires_at: 1 }),
  )
  for (let i = 0; i < n; i++) {
    const now = Math.floor(Date.now() / 1000)
    for (let s = 0; s < 3; s++) {
      await new SignJWT({})
        .setProtectedHeader({ alg: 'RS256', kid: 'c' })
        .setIssuer('client')
        .setSubject('client')
        .setAudience('https://issuer.example/token')
        .setJti(crypto.randomUUID())
        .setIssuedAt(now)
        .setExpirationTime(now + 60)
        .sign(client.privateKey)
    }
    await jwtVerify(idToken, issuer.publicKey, { issuer: 'https://issuer.example', audience: 'client' })
    const iv = crypto.getRandomValues(new Uint8Array(12))
    const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: new Uint8Array(22) }, aes, tokenSet)
    await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: new Uint8Array(22) }, aes, sealed)
  }
}

export default {
  // The proxy's webhook retry queue (wrangler.toml declares this Worker its consumer).
  queue: app.queue,
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const url = new URL(request.url)
    switch (url.pathname) {
      case '/__bench/bare':
        return new Response('ok')
      case '/__bench/kv': {
        const key = `bench:${url.searchParams.get('k') ?? '0'}`
        if (url.searchParams.get('op') === 'put') await env.SESSIONS.put(key, 'x'.repeat(700), { expirationTtl: 600 })
        else await env.SESSIONS.get(key)
        return new Response('ok')
      }
      case '/__bench/do': {
        // One call to a fresh Durable Object: nothing, one storage read or one storage write (BenchProbe).
        const probes = (env as unknown as { BENCH_PROBE: DurableObjectNamespace<BenchProbe> }).BENCH_PROBE
        const op = url.searchParams.get('op') ?? 'call'
        await probes.get(probes.idFromName(`${op}-${url.searchParams.get('k') ?? '0'}`)).call(op, 'k')
        return new Response('ok')
      }
      case '/__bench/queue':
        await env.WEBHOOK_DEAD_LETTERS.send({ bench: url.searchParams.get('k') }, { contentType: 'json' })
        return new Response('ok')
      case '/__bench/ae':
        env.BANK_HEALTH_EVENTS?.writeDataPoint({ indexes: ['bench'], blobs: ['bench', 'started', '', '', 'connection'], doubles: [1, 0] })
        return new Response('ok')
      case '/__bench/ratelimit':
        await env.START_LIMITER.limit({ key: url.searchParams.get('k') ?? 'bench' })
        return new Response('ok')
      case '/__bench/subrequest': {
        // n small POSTs to the identity server: what an outbound fetch costs in this workerd.
        const n = Number(url.searchParams.get('n') ?? 1)
        for (let i = 0; i < n; i++) {
          const response = await fetch(`${env.MONEYHUB_ISSUER}/token`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: 'grant_type=none',
          })
          await response.arrayBuffer()
        }
        return new Response('ok')
      }
      case '/__bench/log':
        // One line like the proxy's: what wrangler dev's console forwarding (over the inspector) costs.
        console.log(
          JSON.stringify({
            level: 'info',
            event: 'session_completed',
            time: new Date().toISOString(),
            requestId: crypto.randomUUID(),
            method: 'GET',
            path: '/callback',
            status: 303,
            ms: 12,
            sessionId: 'hJ1tq0uLzJ8cQ1bF7m3b0A',
            outcome: 'connected',
          }),
        )
        return new Response('ok')
      case '/__bench/inproc': {
        // The app's own cost for one route, without the host: n calls inside this isolate.
        const target = new URL(url.searchParams.get('path') ?? '/health', url.origin)
        const n = Number(url.searchParams.get('n') ?? 100)
        const method = url.searchParams.get('method') ?? 'GET'
        const headers: Record<string, string> = url.searchParams.has('backend')
          ? { authorization: `Bearer ${env.BACKEND_API_KEY}`, 'content-type': 'application/json' }
          : {}
        // ?quiet: the log lines are made but not printed, so wrangler dev's forwarding of them is not counted.
        const printing = { log: console.log, warn: console.warn, error: console.error }
        if (url.searchParams.has('quiet')) console.log = console.warn = console.error = () => {}
        try {
          for (let i = 0; i < n; i++) {
            const request = new Request(target, {
              method,
              headers,
              ...(method === 'POST' ? { body: url.searchParams.get('body') ?? '{}' } : {}),
            })
            await (await app.fetch(request, countingEnv(env), ctx)).arrayBuffer()
          }
        } finally {
          Object.assign(console, printing)
        }
        return new Response('ok')
      }
      case '/__bench/counting':
        counting.on = url.searchParams.get('on') !== '0'
        return new Response('ok')
      case '/__bench/count': {
        // What counting costs per connection, alone: its three events (handed to waitUntil, as in the flow).
        const n = Number(url.searchParams.get('n') ?? 100)
        const now = Math.floor(Date.now() / 1000)
        for (let i = 0; i < n; i++) {
          const record: StoredSession = {
            v: 1,
            id: `bench-${crypto.randomUUID()}`,
            status: 'pending',
            bankId: '1ffe704d39629a929c8e293880fb449a',
            createdAt: now,
            expiresAt: now + 600,
            requestedScope: 'openid id:1ffe704d39629a929c8e293880fb449a',
            startedBy: 'backend', // counted (health/count.ts isCounted)
          }
          countStarted(record)
          countOpened(record)
          countOutcome('pending', { ...record, status: 'connected' })
        }
        return new Response('ok')
      }
      case '/__bench/crypto':
        await cryptoFloor(Number(url.searchParams.get('n') ?? 1))
        return new Response('ok')
      case '/__bench/counters': {
        const snapshot = { ...counts, envsSeen }
        if (url.searchParams.has('reset')) Object.assign(counts, zero())
        return Response.json(snapshot)
      }
      default:
        if (url.pathname.startsWith('/__bench/nolimitsim/')) {
          url.pathname = url.pathname.slice('/__bench/nolimitsim'.length)
          return app.fetch(new Request(url, request), withoutLimiterSimulation(countingEnv(env)), ctx)
        }
        return app.fetch(request, countingEnv(env), ctx)
    }
  },
} satisfies ExportedHandler<Env, QueuedWebhook>
