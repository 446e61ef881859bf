/** The mock's own id_token signing keys (made at first use, never stored) and the registered client's public keys. */
import { calculateJwkThumbprint, createLocalJWKSet, exportJWK, generateKeyPair, type JWK } from 'jose'

export interface ServerKey {
  kid: string
  privateKey: CryptoKey
  publicJwk: JWK
}

export async function makeServerKey(): Promise<ServerKey> {
  // Assumption (project): RS256, 2048-bit, kid = thumbprint; the id_token of Moneyhub's example token set is RS256 with such a kid (https://docs.moneyhubenterprise.com/v2.5/docs/connect-an-account).
  const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048 })
  const publicJwk = await exportJWK(publicKey)
  const kid = await calculateJwkThumbprint(publicJwk)
  return { kid, privateKey, publicJwk: { ...publicJwk, kid, alg: 'RS256', use: 'sig' } }
}

/** Newest first. A rotation adds a key and keeps the previous ones published for a while, as real issuers do. */
let keys: Promise<ServerKey[]> | undefined

const published = () => (keys ??= makeServerKey().then((k) => [k]))
export const serverKey = async () => (await published())[0]!
export const publishedKeys = async () => (await published()).map((k) => k.publicJwk)

export async function rotateServerKey(): Promise<ServerKey> {
  const next = await makeServerKey()
  const current = await published()
  // Assumption (project): a rotated-out key stays published for a while, as real issuers do.
  keys = Promise.resolve([next, ...current].slice(0, 3))
  return next
}

export interface Client {
  clientId: string
  redirectUris: string[]
  keys: ReturnType<typeof createLocalJWKSet>
  /** The request object signing algorithm registered for the client (Moneyhub's admin portal), or `none`. */
  requestObjectSigningAlg: string
}

let clients: { source: string; value: Map<string, Client> } | undefined

/** The clients this mock knows: CLIENT_ID, and OTHER_CLIENTS (same keys and redirect URIs, their own settings). */
function registeredClients(env: Env): Map<string, Client> {
  const source = [env.CLIENT_ID, env.CLIENT_REDIRECT_URIS, env.CLIENT_JWKS, env.CLIENT_REQUEST_OBJECT_SIGNING_ALG, env.OTHER_CLIENTS].join(
    '|',
  )
  if (clients?.source !== source) {
    const jwks = JSON.parse(env.CLIENT_JWKS) as { keys: JWK[] }
    const shared = {
      // Assumption (project): the client's registration in Moneyhub's admin portal, given to the mock by its vars.
      redirectUris: env.CLIENT_REDIRECT_URIS.split(',').map((s) => s.trim()),
      keys: createLocalJWKSet(jwks),
    }
    // Assumption (project): a client registered as README "Registering the client" says, with its key's algorithm.
    const requestObjectSigningAlg = env.CLIENT_REQUEST_OBJECT_SIGNING_ALG || jwks.keys[0]?.alg || 'none'
    const value = new Map([[env.CLIENT_ID, { clientId: env.CLIENT_ID, ...shared, requestObjectSigningAlg }]])
    const others = JSON.parse(env.OTHER_CLIENTS || '{}') as Record<string, { requestObjectSigningAlg?: string }>
    for (const [clientId, settings] of Object.entries(others)) {
      value.set(clientId, { clientId, ...shared, requestObjectSigningAlg: settings.requestObjectSigningAlg ?? 'none' })
    }
    clients = { source, value }
  }
  return clients.value
}

/** The main client (CLIENT_ID). */
export const registeredClient = (env: Env): Client => registeredClients(env).get(env.CLIENT_ID)!

/** The client with this id, if the mock knows it. */
export const clientById = (env: Env, clientId: string | undefined): Client | undefined =>
  clientId === undefined ? undefined : registeredClients(env).get(clientId)
