/**
 * OpenID Connect Discovery 1.0: the issuer's metadata, fetched once per isolate
 * per 5 minutes. Every endpoint the Worker calls comes from here, so every one
 * is pinned: it must share the issuer's origin, or be on ISSUER_ENDPOINT_ORIGINS,
 * and never be http under an https issuer. A copy from the shared cache is
 * checked exactly as a fresh answer is (checkedIssuerMetadata).
 */
import * as v from 'valibot'
import type { Config } from '../config'
import { isLoopbackHost } from '../util/urls'
import { looseObject } from '../util/valibot'
import { OidcError, UpstreamError } from './errors'
import { readShared, writeShared } from './sharedCache'
import { readJsonObject, upstreamFetch } from './upstream'

const endpoint = v.pipe(
  v.string(),
  v.check((value) => {
    try {
      const url = new URL(value)
      return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))
    } catch {
      return false
    }
  }),
)

const IssuerMetadataSchema = looseObject({
  issuer: v.string(),
  authorization_endpoint: endpoint,
  token_endpoint: endpoint,
  jwks_uri: endpoint,
  pushed_authorization_request_endpoint: v.optional(endpoint),
  revocation_endpoint: v.optional(endpoint),
  userinfo_endpoint: v.optional(endpoint),
  id_token_signing_alg_values_supported: v.optional(v.array(v.string())),
  authorization_response_iss_parameter_supported: v.optional(v.boolean()),
})

export type IssuerMetadata = v.InferOutput<typeof IssuerMetadataSchema>

/** The endpoints the Worker calls, or sends the browser to. */
const ENDPOINTS = [
  'authorization_endpoint',
  'token_endpoint',
  'jwks_uri',
  'pushed_authorization_request_endpoint',
  'revocation_endpoint',
  'userinfo_endpoint',
] as const

/**
 * A discovery document (fresh, or from the shared cache) as the Worker may use it:
 * the schema, the issuer identical to the one asked for (OIDC Discovery §4.3), and
 * every endpoint on the issuer's origin or on `endpointOrigins`, https under an https issuer.
 */
export function checkedIssuerMetadata(document: unknown, issuer: string, endpointOrigins: ReadonlySet<string>): IssuerMetadata {
  const parsed = v.safeParse(IssuerMetadataSchema, document)
  if (!parsed.success) {
    const fields = [...new Set(parsed.issues.map((i) => v.getDotPath(i) ?? ''))].join(', ')
    throw new UpstreamError('discovery_invalid', `the discovery document is missing or has invalid: ${fields}`)
  }
  if (parsed.output.issuer !== issuer) {
    throw new OidcError('discovery_issuer_mismatch', 'the discovery document names another issuer than MONEYHUB_ISSUER')
  }
  const issuerUrl = new URL(issuer)
  for (const name of ENDPOINTS) {
    const value = parsed.output[name]
    if (value === undefined) continue
    const url = new URL(value)
    if (issuerUrl.protocol === 'https:' && url.protocol !== 'https:') {
      throw new OidcError('discovery_endpoint_insecure', `the discovery document's ${name} is not https under an https issuer`)
    }
    if (url.origin !== issuerUrl.origin && !endpointOrigins.has(url.origin)) {
      throw new OidcError(
        'discovery_endpoint_not_allowed',
        `the discovery document's ${name} is on another origin than the issuer's and not on ISSUER_ENDPOINT_ORIGINS`,
      )
    }
  }
  return parsed.output
}

const TTL_MS = 5 * 60_000
const cache = new Map<string, { expires: number; metadata: Promise<IssuerMetadata> }>()

/** For tests: forget what this isolate has cached, as a new isolate would. */
export const forgetIssuerMetadata = () => cache.clear()

const NONE: ReadonlySet<string> = new Set()

export async function fetchIssuerMetadata(issuer: string, timeoutMs: number, endpointOrigins = NONE): Promise<IssuerMetadata> {
  // OIDC Discovery §4: the issuer with any trailing "/" removed, then /.well-known/openid-configuration.
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`
  const response = await upstreamFetch(url, { headers: { accept: 'application/json' } }, timeoutMs, 'the discovery endpoint')
  if (!response.ok) throw new UpstreamError('discovery_failed', `the discovery endpoint answered ${response.status}`)
  return checkedIssuerMetadata(await readJsonObject(response, 'the discovery endpoint'), issuer, endpointOrigins)
}

/** The validated metadata from the Cache API (another isolate fetched it), else from the issuer. */
async function loadIssuerMetadata(issuer: string, timeoutMs: number, endpointOrigins: ReadonlySet<string>): Promise<IssuerMetadata> {
  const shared = await readShared<unknown>('discovery', issuer)
  if (shared !== undefined) {
    try {
      return checkedIssuerMetadata(shared, issuer, endpointOrigins)
    } catch {
      // A copy that fails the checks is ignored, and replaced by a fresh answer that passes them.
    }
  }
  const metadata = await fetchIssuerMetadata(issuer, timeoutMs, endpointOrigins)
  await writeShared('discovery', issuer, metadata)
  return metadata
}

/**
 * The issuer's metadata, cached per isolate (and across isolates) for 5 minutes; a failed fetch is not cached.
 * `endpointOrigins`: ISSUER_ENDPOINT_ORIGINS (config.issuerEndpointOrigins).
 */
export function getIssuerMetadata(issuer: string, timeoutMs: number, endpointOrigins = NONE): Promise<IssuerMetadata> {
  const now = Date.now()
  const key = `${issuer} ${[...endpointOrigins].sort().join(',')}`
  const hit = cache.get(key)
  if (hit && hit.expires > now) return hit.metadata
  const metadata = loadIssuerMetadata(issuer, timeoutMs, endpointOrigins)
  cache.set(key, { expires: now + TTL_MS, metadata })
  metadata.catch(() => cache.delete(key))
  return metadata
}

/** The configured issuer's metadata, pinned to its endpoint origins: what every flow calls. */
export const issuerMetadataOf = (
  config: Pick<Config, 'issuer' | 'upstreamTimeoutMs' | 'issuerEndpointOrigins'>,
  timeoutMs = config.upstreamTimeoutMs,
): Promise<IssuerMetadata> => getIssuerMetadata(config.issuer, timeoutMs, config.issuerEndpointOrigins)
