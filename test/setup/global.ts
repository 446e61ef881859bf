/**
 * Vitest global setup (Node): makes the client's keys, starts the mock identity
 * server as a real Worker listening on 127.0.0.1, and provides what the proxy's
 * bindings need (vitest.config.ts).
 */
import type { TestProject } from 'vitest/node'
import { unstable_startWorker } from 'wrangler'
import { clientKey, publicJwks, randomKey } from './keys.ts'
import { filterRuntimeChatter } from './runtimeChatter.ts'

const CLIENT_ID = 'test-client'
/** Clients registered with another request object signing setting than the main client's RS256 (test/oidc/request-object-signing.test.ts). */
const OTHER_CLIENTS = {
  'test-client-unsigned': { requestObjectSigningAlg: 'none' },
  'test-client-ps256': { requestObjectSigningAlg: 'PS256' },
  'test-client-es256': { requestObjectSigningAlg: 'ES256' },
}
const REDIRECT_URI = 'http://127.0.0.1:8787/callback'

export default async function setup(project: TestProject) {
  const restoreOutput = filterRuntimeChatter()
  // Two keys, as in a rotation: the first signs, both are registered.
  const privateJwks = { keys: [await clientKey('RS256', 'client-key-1'), await clientKey('ES256', 'client-key-2')] }
  const registered = JSON.stringify(publicJwks(privateJwks))
  const mock = await unstable_startWorker({
    config: 'mock/wrangler.toml',
    bindings: {
      CLIENT_ID: { type: 'plain_text', value: CLIENT_ID },
      CLIENT_REDIRECT_URIS: { type: 'plain_text', value: `${REDIRECT_URI},https://connect.example.com/callback` },
      CLIENT_JWKS: { type: 'plain_text', value: registered },
      // As a payment client must be registered at Moneyhub: request object signing on, with the signing key's algorithm.
      CLIENT_REQUEST_OBJECT_SIGNING_ALG: { type: 'plain_text', value: 'RS256' },
      OTHER_CLIENTS: { type: 'plain_text', value: JSON.stringify(OTHER_CLIENTS) },
    },
    dev: { server: { hostname: '127.0.0.1', port: 0 }, inspector: false, watch: false, logLevel: 'warn' },
  })
  await mock.ready
  const url = await mock.url
  project.provide('mockOrigin', url.origin)
  project.provide('clientId', CLIENT_ID)
  project.provide('redirectUri', REDIRECT_URI)
  project.provide('clientPrivateJwks', JSON.stringify(privateJwks))
  project.provide('clientPublicJwks', registered)
  project.provide('tokenEncryptionKey', randomKey())
  // The key a rotation puts first (vitest.config.ts, the rotated-keys configuration).
  project.provide('newTokenEncryptionKey', randomKey())
  project.provide('backendApiKey', `backend-${randomKey(24)}`)
  project.provide('webhookSecret', `whsec-${randomKey(24)}`)
  return async () => {
    await mock.dispose()
    restoreOutput()
  }
}
