/**
 * OpenID Connect Discovery 1.0: the issuer's metadata, fetched once per isolate
 * per 5 minutes. Every endpoint the Worker calls comes from here.
 */
import * as z from 'zod/mini'
import { isLoopbackHost } from '../http/urls'
import { OidcError, UpstreamError } from './errors'
import { readShared, writeShared } from './sharedCache'
import { readJsonObject, upstreamFetch } from './upstream'

const endpoint = z.string().check(
  z.refine((value) => {
    try {
      const url = new URL(value)
      return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))
    } catch {
      return false
    }
  }),
)

const IssuerMetadataSchema = z.looseObject({
  issuer: z.string(),
  authorization_endpoint: endpoint,
  token_endpoint: endpoint,
  jwks_uri: endpoint,
  pushed_authorization_request_endpoint: z.optional(endpoint),
  revocation_endpoint: z.optional(endpoint),
  userinfo_endpoint: z.optional(endpoint),
  id_token_signing_alg_values_supported: z.optional(z.array(z.string())),
  authorization_response_iss_parameter_supported: z.optional(z.boolean()),
})

export type IssuerMetadata = z.infer<typeof IssuerMetadataSchema>

const TTL_MS = 5 * 60_000
const cache = new Map<string, { expires: number; metadata: Promise<IssuerMetadata> }>()

/** For tests: forget what this isolate has cached, as a new isolate would. */
export const forgetIssuerMetadata = () => cache.clear()

export async function fetchIssuerMetadata(issuer: string, timeoutMs: number): Promise<IssuerMetadata> {
  // OIDC Discovery §4: the issuer with any trailing "/" removed, then /.well-known/openid-configuration.
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`
  const response = await upstreamFetch(url, { headers: { accept: 'application/json' } }, timeoutMs, 'the discovery endpoint')
  if (!response.ok) throw new UpstreamError('discovery_failed', `the discovery endpoint answered ${response.status}`)
  const parsed = IssuerMetadataSchema.safeParse(await readJsonObject(response, 'the discovery endpoint'))
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.')))].join(', ')
    throw new UpstreamError('discovery_invalid', `the discovery document is missing or has invalid: ${fields}`)
  }
  // OIDC Discovery §4.3: the issuer in the document MUST be identical to the one it was fetched for.
  if (parsed.data.issuer !== issuer) {
    throw new OidcError('discovery_issuer_mismatch', 'the discovery document names another issuer than MONEYHUB_ISSUER')
  }
  return parsed.data
}

/** The validated metadata from the Cache API (another isolate fetched it), else from the issuer. */
async function loadIssuerMetadata(issuer: string, timeoutMs: number): Promise<IssuerMetadata> {
  const shared = await readShared<IssuerMetadata>('discovery', issuer)
  if (shared?.issuer === issuer) return shared
  const metadata = await fetchIssuerMetadata(issuer, timeoutMs)
  await writeShared('discovery', issuer, metadata)
  return metadata
}

/** The issuer's metadata, cached per isolate (and across isolates) for 5 minutes; a failed fetch is not cached. */
export function getIssuerMetadata(issuer: string, timeoutMs: number): Promise<IssuerMetadata> {
  const now = Date.now()
  const hit = cache.get(issuer)
  if (hit && hit.expires > now) return hit.metadata
  const metadata = loadIssuerMetadata(issuer, timeoutMs)
  cache.set(issuer, { expires: now + TTL_MS, metadata })
  metadata.catch(() => cache.delete(issuer))
  return metadata
}
