/** Token revocation (RFC 7009 §2.1), authenticated like the token request. */
import type { Config } from '../config'
import { clientAuthentication } from './clientAssertion'
import { UpstreamError } from './errors'
import { FORM, upstreamFetch } from './upstream'

export async function revokeToken(
  config: Config,
  endpoints: { revocation: string; token: string },
  token: string,
  hint: 'access_token' | 'refresh_token',
): Promise<void> {
  const endpoint = endpoints.revocation
  const body = new URLSearchParams({ token, token_type_hint: hint, ...(await clientAuthentication(config, endpoint, endpoints.token)) })
  const response = await upstreamFetch(
    endpoint,
    { method: 'POST', headers: FORM, body },
    config.upstreamTimeoutMs,
    'the revocation endpoint',
  )
  // RFC 7009 §2.2: 200 whether or not the token was valid.
  if (response.status !== 200) throw new UpstreamError('revocation_failed', `the revocation endpoint answered ${response.status}`)
}
