/** The mock's own id_token signing keys (made at first use, never stored) and the registered client's public keys. */
import { calculateJwkThumbprint, createLocalJWKSet, exportJWK, generateKeyPair, type JWK } from 'jose'

export interface ServerKey {
  kid: string
  privateKey: CryptoKey
  publicJwk: JWK
}

export async function makeServerKey(): Promise<ServerKey> {
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
  keys = Promise.resolve([next, ...current].slice(0, 3))
  return next
}

export interface Client {
  clientId: string
  redirectUris: string[]
  keys: ReturnType<typeof createLocalJWKSet>
}

let client: { source: string; value: Client } | undefined

export function registeredClient(env: Env): Client {
  const source = `${env.CLIENT_ID}|${env.CLIENT_REDIRECT_URIS}|${env.CLIENT_JWKS}`
  if (client?.source !== source) {
    client = {
      source,
      value: {
        clientId: env.CLIENT_ID,
        redirectUris: env.CLIENT_REDIRECT_URIS.split(',').map((s) => s.trim()),
        keys: createLocalJWKSet(JSON.parse(env.CLIENT_JWKS) as { keys: JWK[] }),
      },
    }
  }
  return client.value
}
