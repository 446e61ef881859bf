import { cloudflareTest } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'

// Offline and quiet: no telemetry, no Request.cf download.
process.env.WRANGLER_SEND_METRICS ??= 'false'
process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= 'false'

export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: {
          MONEYHUB_ISSUER: `${inject('mockOrigin')}/oidc`,
          MONEYHUB_CLIENT_ID: inject('clientId'),
          MONEYHUB_REDIRECT_URI: inject('redirectUri'),
          ALLOWED_ORIGINS: 'https://app.example.com,http://localhost:3000',
          CLIENT_PRIVATE_JWKS: inject('clientPrivateJwks'),
          TOKEN_ENCRYPTION_KEY: inject('tokenEncryptionKey'),
          BACKEND_API_KEY: inject('backendApiKey'),
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
          // Test scale: a refused webhook is retried from the queue after 1 s, then every 2 s (production: 30 s doubling to 1 h).
          WEBHOOK_RETRY_FIRST_SECONDS: '1',
          WEBHOOK_RETRY_MAX_SECONDS: '2',
          WEBHOOK_GIVE_UP_SECONDS: '259200',
        },
      },
    })),
  ],
  // As wrangler.toml's [alias] (which the plugin does not apply): the tests run the Worker as it is deployed.
  resolve: { alias: { 'hono-openapi': new URL('./src/http/describeRouteAtRunTime.ts', import.meta.url).pathname } },
  // As wrangler.toml's [define]: no route descriptions in the Worker (src/http/openapiBuild.d.ts).
  define: { OPENAPI_BUILD: 'false' },
  test: {
    // test/node holds Node-side tests (node --test), test/e2e the browser test.
    include: ['test/*.test.ts'],
    globalSetup: ['./test/setup/global.ts'],
    testTimeout: 30_000,
    // The Worker logs a JSON line per request; show them only for failing tests.
    silent: 'passed-only',
  },
})
