/**
 * private_key_jwt client authentication (OIDC Core §9, RFC 7523 §3): a fresh
 * JWT for every request, because the identity server refuses a replayed `jti`.
 */
import { SignJWT } from 'jose'
import type { Config } from '../config'
import { randomToken } from '../util/encoding'

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

/** Lifetime of an assertion; Moneyhub's own client uses 60 s. */
const LIFETIME_S = 60

/**
 * The assertion's `aud` (config.clientAssertionAudience): by default the token endpoint at every endpoint, as Moneyhub's
 * reference for POST /oidc/request says ("The aud property should be the token endpoint").
 */
function audienceOf(config: Config, endpoint: string, tokenEndpoint: string) {
  if (config.clientAssertionAudience === 'issuer') return config.issuer
  return config.clientAssertionAudience === 'endpoint' ? endpoint : tokenEndpoint
}

export async function signClientAssertion(config: Config, endpoint: string, tokenEndpoint: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  const { signingKey, clientId } = config
  return new SignJWT({})
    .setProtectedHeader({ alg: signingKey.alg, kid: signingKey.kid, typ: 'JWT' })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(audienceOf(config, endpoint, tokenEndpoint))
    .setJti(randomToken(16))
    .setIssuedAt(now)
    .setExpirationTime(now + LIFETIME_S)
    .sign(signingKey.key)
}

/** The form fields that authenticate the client at `endpoint` (the token endpoint unless told otherwise). */
export async function clientAuthentication(config: Config, endpoint: string, tokenEndpoint = endpoint): Promise<Record<string, string>> {
  return {
    client_id: config.clientId,
    client_assertion_type: CLIENT_ASSERTION_TYPE,
    client_assertion: await signClientAssertion(config, endpoint, tokenEndpoint),
  }
}
