/** Test keys, made fresh for every run (nothing private is committed). Runs in Node. */
import { exportJWK, generateKeyPair, type JWK } from 'jose'

export async function clientKey(alg: 'RS256' | 'PS256' | 'ES256', kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true })
  return { ...(await exportJWK(privateKey)), kid, alg }
}

export function publicJwks(privateJwks: { keys: JWK[] }) {
  return {
    keys: privateJwks.keys.map(({ d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub }) => pub),
  }
}

export const randomKey = (bytes = 32) => Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('base64url')
