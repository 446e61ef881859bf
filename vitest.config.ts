import { cloudflareTest } from '@cloudflare/vitest-plugin'
import { readdirSync } from 'node:fs'
import type { ProvidedContext } from 'vitest'
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config'

// Offline and quiet: no telemetry, no Request.cf download.
process.env.WRANGLER_SEND_METRICS ??= 'false'
process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= 'false'

type Inject = <K extends keyof ProvidedContext>(key: K) => ProvidedContext[K]

/** The Worker's bindings in every configuration: the global setup's keys and the mock identity server's address. */
const baseBindings = (inject: Inject): Record<string, string> => ({
  MONEYHUB_ISSUER: `${inject('mockOrigin')}/oidc`,
  MONEYHUB_CLIENT_ID: inject('clientId'),
  MONEYHUB_REDIRECT_URI: inject('redirectUri'),
  ALLOWED_ORIGINS: 'https://app.example.com,http://localhost:3000',
  CLIENT_PRIVATE_JWKS: inject('clientPrivateJwks'),
  TOKEN_ENCRYPTION_KEY: inject('tokenEncryptionKey'),
  BACKEND_API_KEY: inject('backendApiKey'),
  // The dashboard's read-only key (GET /banks/health): a test value, never a backend key.
  HEALTH_API_KEY: 'health-key-for-the-tests-only',
  // Spelled out so that a developer's .dev.vars never leaks into the tests.
  DEFAULT_BANK_SELECTOR: 'id:all',
  SESSION_TTL_SECONDS: '600',
  // The defaults: the token endpoint as every assertion's aud; request objects signed with the key's algorithm (RS256).
  CLIENT_ASSERTION_AUDIENCE: '',
  REQUEST_OBJECT_SIGNING_ALG: '',
  UPSTREAM_TIMEOUT_MS: '10000',
  REFRESH_TOKEN_RETENTION_SECONDS: '7776000',
  EXPIRED_STATUS_SECONDS: '86400',
  // The mock records webhooks; sessions' expiry alarms (Durable Objects) report there too.
  WEBHOOK_URL: `${inject('mockOrigin')}/__mock/webhooks`,
  WEBHOOK_SECRET: inject('webhookSecret'),
  // Test scale: a refused webhook is retried from the queue after 1 s, then every 2 s (production: 30 s doubling to 1 h),
  // given up after 3 min: what the queue's 100 retries reach at that pace (src/config.ts refuses a give-up they cannot).
  WEBHOOK_RETRY_FIRST_SECONDS: '1',
  WEBHOOK_RETRY_MAX_SECONDS: '2',
  WEBHOOK_GIVE_UP_SECONDS: '180',
})

/**
 * The Worker's other configurations (docs/development.md, "Test configurations"): the test files in test/<name>/
 * run the Worker, and its Durable Objects, with these bindings over the base ones. Each costs a runtime start-up.
 */
const configurations: Record<string, (inject: Inject) => Record<string, string>> = {
  // Deadlines a test can outlast: the mock's `slow` fault takes longer than UPSTREAM_TIMEOUT_MS; reconciliation's window closes in seconds.
  'short-deadlines': () => ({ UPSTREAM_TIMEOUT_MS: '2000', RECONCILIATION_WINDOW_SECONDS: '10' }),
  // Health marks on GET /banks at the documented thresholds, read afresh on every request (the default project gives none).
  'health-marks': () => ({ HEALTH_MIN_ATTEMPTS: '5', HEALTH_MARK_MAX_AGE_SECONDS: '0' }),
  // The mock's second issuer: no pushed authorization requests, no goals scopes.
  'no-par': (inject) => ({ MONEYHUB_ISSUER: `${inject('mockOrigin')}/nopar/oidc` }),
  // Moneyhub's recommended hybrid flow (form_post), on an https callback (where its SameSite=None cookie belongs).
  'hybrid-https': () => ({ RESPONSE_TYPE: 'code id_token', MONEYHUB_REDIRECT_URI: 'https://connect.example.com/callback' }),
  // After rotating every key: the ES256 key moved first (the client registered with ES256), a new encryption key before the old one.
  'rotated-keys': (inject) => ({
    CLIENT_PRIVATE_JWKS: JSON.stringify({ keys: [...JSON.parse(inject('clientPrivateJwks')).keys].reverse() }),
    MONEYHUB_CLIENT_ID: 'test-client-es256',
    TOKEN_ENCRYPTION_KEY: `${inject('newTokenEncryptionKey')},${inject('tokenEncryptionKey')}`,
  }),
  // A client registered with request object signing `none`: plain pushed parameters.
  'unsigned-client': () => ({ MONEYHUB_CLIENT_ID: 'test-client-unsigned', REQUEST_OBJECT_SIGNING_ALG: 'none' }),
}

/**
 * Projects that must not run beside test/banks/, which makes the second issuer's bank lists fail for a moment and
 * counts their fetches (bank-list*.test.ts): they run after every other project.
 */
const afterTheRest = new Set(['no-par'])

/** A vitest project: the Worker with the base bindings and `more`, for the test files `include` names. */
function project(
  name: string,
  include: string[],
  more: (inject: Inject) => Record<string, string> = () => ({}),
): TestProjectInlineConfiguration {
  return {
    plugins: [
      cloudflareTest(({ inject }) => ({
        wrangler: { configPath: './wrangler.toml' },
        miniflare: { bindings: { ...baseBindings(inject), ...more(inject) } },
      })),
    ],
    // As wrangler.toml's [alias] (which the plugin does not apply): the tests run the Worker as it is deployed.
    resolve: { alias: { 'hono-openapi': new URL('./src/http/describeRouteAtRunTime.ts', import.meta.url).pathname } },
    // As wrangler.toml's [define]: no route descriptions in the Worker (src/http/openapiBuild.d.ts).
    define: { OPENAPI_BUILD: 'false' },
    test: {
      name,
      include,
      sequence: { groupOrder: afterTheRest.has(name) ? 1 : 0 },
      testTimeout: 30_000,
      // One runtime, and one import of the Worker's modules, for all of a project's files rather than one per file
      // (about 5 s each on this machine): files share its storage and isolate, so a test never assumes them empty.
      isolate: false,
    },
  }
}

/**
 * The folders of tests that run with the default bindings, one project each (docs/development.md, "Tests"): projects
 * run side by side, a project's files one after another, so no folder is long enough to hold the suite up. No bank
 * earns a health mark in them: many files count outcomes for the same banks, and GET /banks is asserted as published.
 */
const defaultFolders = ['api', 'banks', 'connections', 'data', 'oidc', 'payments', 'recurring-payments', 'reconciliation', 'status']
const defaultBindings = () => ({ HEALTH_MIN_ATTEMPTS: '1000000' })

/**
 * Configurations whose files mostly wait in real time (a timeout, a window of seconds): one project per file, so that
 * their waits overlap rather than add up. `--project 'short-deadlines*'` runs them all.
 */
const onePerFile = new Set(['short-deadlines'])

const configurationProjects = Object.entries(configurations).flatMap(([name, bindings]) =>
  onePerFile.has(name)
    ? readdirSync(new URL(`./test/${name}`, import.meta.url))
        .filter((file) => file.endsWith('.test.ts'))
        .map((file) => project(`${name}/${file.replace(/\.test\.ts$/, '')}`, [`test/${name}/${file}`], bindings))
    : [project(name, [`test/${name}/*.test.ts`], bindings)],
)

// Every workerd test belongs to a project: a file or folder that none would run stops the run instead of being left out.
const elsewhere = new Set(['node', 'e2e', 'setup']) // node --test, the browser test, the global setup
for (const entry of readdirSync(new URL('./test', import.meta.url), { withFileTypes: true })) {
  if (entry.isFile() && entry.name.endsWith('.test.ts'))
    throw new Error(`test/${entry.name}: put it in the folder of what it is about (docs/development.md, "Tests")`)
  if (
    entry.isDirectory() &&
    !elsewhere.has(entry.name) &&
    entry.name !== 'unit' &&
    !defaultFolders.includes(entry.name) &&
    !(entry.name in configurations)
  )
    throw new Error(`test/${entry.name}/ belongs to no Vitest project: add it to defaultFolders in vitest.config.ts`)
}

export default defineConfig({
  test: {
    // One mock identity server for every project (test/setup/global.ts): declared here only, so it starts once.
    // Projects running at the same time share it: a test finds its own requests in its record, never counts them all.
    globalSetup: ['./test/setup/global.ts'],
    // Projects side by side, even on 2 cores (Vitest's default there is 1): their files mostly wait on the network,
    // timers and the runtime, not on this process.
    maxWorkers: 4,
    // test/node holds Node-side tests (node --test), test/e2e the browser test.
    projects: [
      // Tests of modules that need no Worker (no env, exports or SELF): plain Node, no runtime to start.
      { test: { name: 'unit', include: ['test/unit/*.test.ts'], environment: 'node' } },
      ...defaultFolders.map((folder) => project(folder, [`test/${folder}/*.test.ts`], defaultBindings)),
      ...configurationProjects,
    ],
    // The Worker logs a JSON line per request; show them only for failing tests.
    silent: 'passed-only',
  },
})
