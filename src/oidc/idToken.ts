/**
 * ID Token validation, OIDC Core §3.1.3.7 step by step, with jose doing the JWS
 * work. Each failed check throws OidcError with a code naming it.
 */
import { createRemoteJWKSet, customFetch, jwtVerify, type JWTPayload } from 'jose'
// The classes themselves (jose/errors), not jose's `errors` namespace object, which keeps every class in the bundle.
import * as errors from 'jose/errors'
import { readShared, writeShared } from './sharedCache'
import * as v from 'valibot'
import { looseObject, object } from '../util/valibot'
import { toBase64Url } from '../util/encoding'
import type { IssuerMetadata } from './discovery'
import { idTokenClaimCode } from '../errors'
import { OidcError } from './errors'

/** The official client's tolerance. */
export const CLOCK_TOLERANCE_S = 10
/** An id_token fresh from the token endpoint was issued moments ago; older ones are refused. */
export const MAX_ID_TOKEN_AGE_S = 300

/** Asymmetric algorithms only: `none` and HMAC (keyed with the client secret) are never accepted. */
const ASYMMETRIC_ALGS = ['RS256', 'PS256', 'ES256', 'RS384', 'PS384', 'ES384', 'RS512', 'PS512', 'ES512']
const HASH_OF: Record<string, string> = { '256': 'SHA-256', '384': 'SHA-384', '512': 'SHA-512' }

const jwksCache = new Map<string, ReturnType<typeof createRemoteJWKSet>>()

/** RFC 7517 §5: a JWK Set; checked alike whether it comes from the issuer or from the shared cache. */
const JwkSetSchema = object({
  keys: v.pipe(
    v.array(looseObject({ kty: v.pipe(v.string(), v.minLength(1)), kid: v.optional(v.string()), alg: v.optional(v.string()) })),
    v.maxLength(100),
  ),
})
const isJwkSet = (value: unknown): value is v.InferOutput<typeof JwkSetSchema> => v.is(JwkSetSchema, value)

/**
 * The issuer's JWKS, kept per isolate: refetched after 5 minutes, or once when
 * an unknown `kid` arrives. An isolate's first fetch may be answered from the
 * Cache API (another isolate's validated copy); every later fetch (expiry or an
 * unknown kid, e.g. after a rotation) goes to the issuer and refreshes that copy.
 */
function issuerKeys(jwksUri: string, timeoutMs: number) {
  let jwks = jwksCache.get(jwksUri)
  if (!jwks) {
    let first = true
    const sharedFetch = async (url: string, init: RequestInit) => {
      if (first) {
        first = false
        const shared = await readShared<unknown>('jwks', url)
        if (isJwkSet(shared)) return Response.json(shared)
      }
      const response = await fetch(url, init)
      if (response.status !== 200) return response
      const body = await response.json<unknown>().catch(() => undefined)
      if (isJwkSet(body)) await writeShared('jwks', url, body)
      return Response.json(body ?? null)
    }
    jwks = createRemoteJWKSet(new URL(jwksUri), {
      cacheMaxAge: 5 * 60_000,
      cooldownDuration: 0,
      timeoutDuration: timeoutMs,
      [customFetch]: sharedFetch,
    })
    jwksCache.set(jwksUri, jwks)
  }
  return jwks
}

/** For tests: forget what this isolate has cached, as a new isolate would. */
export function forgetIssuerKeys() {
  jwksCache.clear()
}

export interface IdTokenExpectations {
  issuer: string
  clientId: string
  /** The nonce of the authentication. After a refresh (OIDC Core §12.2) the id_token may omit it, but not change it. */
  nonce: string
  refreshed?: boolean
  /** After a refresh, the sub must be the one of the original authentication (OIDC Core §12.2). */
  sub?: string
  /** The access token issued beside the id_token, for at_hash (absent for a front-channel id_token). */
  accessToken?: string
  /**
   * A front-channel id_token of the hybrid flow (OIDC Core §3.3.2.11) must bind
   * the code (c_hash, required) and, as FAPI 1 asks, the state (s_hash, required).
   */
  frontChannel?: { code: string; state: string }
  timeoutMs: number
}

export interface IdTokenClaims extends JWTPayload {
  sub: string
  'mh:con_id'?: string
}

/** OIDC Core §3.1.3.6: left half of the hash of the ASCII access token, base64url. */
export async function tokenHash(token: string, alg: string): Promise<string> {
  const hash = HASH_OF[alg.slice(-3)]
  if (!hash) throw new OidcError('id_token_alg_not_allowed', `no hash is defined for ${alg}`)
  const digest = new Uint8Array(await crypto.subtle.digest(hash, new TextEncoder().encode(token)))
  return toBase64Url(digest.slice(0, digest.length / 2))
}

export async function verifyIdToken(idToken: string, metadata: IssuerMetadata, expected: IdTokenExpectations): Promise<IdTokenClaims> {
  const offered = metadata.id_token_signing_alg_values_supported ?? ['RS256']
  const algorithms = ASYMMETRIC_ALGS.filter((alg) => offered.includes(alg))
  let payload: JWTPayload
  let alg: string
  try {
    // §3.1.3.7 steps 2, 3, 6, 9, 10: signature with an issuer key, iss, aud, exp, iat.
    const result = await jwtVerify(idToken, issuerKeys(metadata.jwks_uri, expected.timeoutMs), {
      algorithms,
      issuer: expected.issuer,
      audience: expected.clientId,
      clockTolerance: CLOCK_TOLERANCE_S,
      maxTokenAge: MAX_ID_TOKEN_AGE_S,
      requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat'],
    })
    payload = result.payload
    alg = result.protectedHeader.alg
  } catch (cause) {
    throw idTokenError(cause)
  }

  // §3.1.3.7 step 3: reject additional audiences not trusted by the client (this client trusts none).
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud]
  if (audiences.some((aud) => aud !== expected.clientId)) {
    throw new OidcError('id_token_aud_untrusted', 'the id_token is also meant for another audience')
  }
  // §3.1.3.7 steps 4-5: azp, when present, must be this client.
  if (payload.azp !== undefined && payload.azp !== expected.clientId) {
    throw new OidcError('id_token_azp_mismatch', 'the id_token azp is not this client')
  }
  // §3.1.3.7 step 11: the nonce sent in the authorisation request (§12.2: a refreshed id_token may omit it).
  if (payload.nonce !== expected.nonce && !(expected.refreshed && payload.nonce === undefined)) {
    throw new OidcError(
      payload.nonce === undefined ? 'id_token_nonce_missing' : 'id_token_nonce_mismatch',
      'the id_token nonce does not match the one sent',
    )
  }
  if (typeof payload.sub !== 'string' || payload.sub === '') throw new OidcError('id_token_sub_missing', 'the id_token has no sub')
  if (expected.sub !== undefined && payload.sub !== expected.sub)
    throw new OidcError('id_token_sub_mismatch', 'the id_token is for another user')
  // §3.2.2.9 / §3.3.2.11: at_hash, when present, binds the access token to this id_token.
  if (
    payload.at_hash !== undefined &&
    expected.accessToken !== undefined &&
    payload.at_hash !== (await tokenHash(expected.accessToken, alg))
  ) {
    throw new OidcError('id_token_at_hash_mismatch', 'the id_token at_hash does not match the access token')
  }
  if (expected.frontChannel) {
    for (const [claim, value, missing, mismatch] of [
      ['c_hash', expected.frontChannel.code, 'id_token_c_hash_missing', 'id_token_c_hash_mismatch'],
      ['s_hash', expected.frontChannel.state, 'id_token_s_hash_missing', 'id_token_s_hash_mismatch'],
    ] as const) {
      if (payload[claim] === undefined) throw new OidcError(missing, `the front-channel id_token has no ${claim}`)
      if (payload[claim] !== (await tokenHash(value, alg))) throw new OidcError(mismatch, `the id_token ${claim} does not match`)
    }
  }
  if (payload['mh:con_id'] !== undefined && typeof payload['mh:con_id'] !== 'string') {
    throw new OidcError('id_token_claim_invalid', 'the id_token mh:con_id is not a string')
  }
  return payload as IdTokenClaims
}

function idTokenError(cause: unknown): OidcError {
  if (cause instanceof OidcError) return cause
  if (cause instanceof errors.JWTExpired) {
    return cause.claim === 'iat'
      ? new OidcError('id_token_iat_too_old', `the id_token was issued more than ${MAX_ID_TOKEN_AGE_S} s ago`, { cause })
      : new OidcError('id_token_expired', 'the id_token has expired', { cause })
  }
  if (cause instanceof errors.JWTClaimValidationFailed) {
    const code = idTokenClaimCode(cause.claim, cause.reason === 'missing' ? 'missing' : 'invalid')
    return new OidcError(code, `the id_token ${cause.claim} claim is ${cause.reason === 'missing' ? 'missing' : 'not acceptable'}`, {
      cause,
    })
  }
  if (cause instanceof errors.JOSEAlgNotAllowed)
    return new OidcError('id_token_alg_not_allowed', 'the id_token is signed with an algorithm that is not allowed', { cause })
  if (cause instanceof errors.JWKSNoMatchingKey)
    return new OidcError('id_token_key_unknown', 'no key of the issuer matches the id_token', { cause })
  if (cause instanceof errors.JWSSignatureVerificationFailed)
    return new OidcError('id_token_signature_invalid', 'the id_token signature does not verify', { cause })
  if (cause instanceof errors.JWKSTimeout) return new OidcError('upstream_timeout', 'the issuer JWKS did not answer in time', { cause })
  if (cause instanceof errors.JWKSInvalid || (cause instanceof errors.JOSEError && cause.code === 'ERR_JOSE_GENERIC')) {
    return new OidcError('jwks_unavailable', 'the issuer JWKS could not be fetched or read', { cause })
  }
  if (cause instanceof errors.JWSInvalid || cause instanceof errors.JWTInvalid || cause instanceof errors.JOSENotSupported) {
    return new OidcError('id_token_malformed', 'the id_token is not a valid signed JWT', { cause })
  }
  return new OidcError('id_token_invalid', 'the id_token could not be validated', { cause })
}
