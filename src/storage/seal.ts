/**
 * AES-256-GCM for what must not sit in KV in the clear (token sets, PKCE
 * verifiers, nonces). The record's id is the associated data, so a sealed value
 * copied into another record does not open. Format: `v1.<kid>.<iv>.<ciphertext>`.
 */
import type { EncryptionKey } from '../config'
import { fromBase64Url, toBase64Url } from '../util/encoding'

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export async function seal(keys: readonly EncryptionKey[], value: unknown, associatedData: string): Promise<string> {
  const { kid, key } = keys[0]!
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const ciphertext = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: encoder.encode(associatedData) },
    key,
    encoder.encode(JSON.stringify(value)),
  )
  return `v1.${kid}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(ciphertext))}`
}

/** The sealed value, or undefined when no configured key opens it (key removed, or the value was tampered with). */
export async function open<T>(keys: readonly EncryptionKey[], sealed: string, associatedData: string): Promise<T | undefined> {
  const [version, kid, iv, ciphertext] = sealed.split('.')
  const entry = keys.find((k) => k.kid === kid)
  if (version !== 'v1' || !entry || !iv || !ciphertext) return undefined
  try {
    const plaintext = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: fromBase64Url(iv), additionalData: encoder.encode(associatedData) },
      entry.key,
      fromBase64Url(ciphertext),
    )
    return JSON.parse(decoder.decode(plaintext)) as T
  } catch {
    return undefined
  }
}
