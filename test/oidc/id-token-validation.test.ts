/**
 * OIDC Core §3.1.3.7 and RFC 6749 §5.1, checked against a mock identity server
 * made to misbehave in one way per flow. A bad answer ends the session failed
 * with a stable code, stores no token, sends the user back with status=failed,
 * and never makes the Worker answer 5xx.
 */
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { APP_ORIGIN, connectAccount, statusOf, tokenRequestFor, tokens } from '../helpers'

const rejected: [fault: string, code: string][] = [
  ['rogue_signature', 'id_token_signature_invalid'],
  ['alg_none', 'id_token_alg_not_allowed'],
  ['alg_hs256', 'id_token_alg_not_allowed'],
  ['unknown_kid', 'id_token_key_unknown'],
  ['iss_wrong', 'id_token_iss_invalid'],
  ['iss_missing', 'id_token_iss_missing'],
  ['aud_wrong', 'id_token_aud_invalid'],
  ['aud_missing', 'id_token_aud_missing'],
  ['aud_extra', 'id_token_aud_untrusted'],
  ['expired', 'id_token_expired'],
  ['exp_missing', 'id_token_exp_missing'],
  ['iat_old', 'id_token_iat_too_old'],
  ['nonce_wrong', 'id_token_nonce_mismatch'],
  ['nonce_missing', 'id_token_nonce_missing'],
  ['at_hash_wrong', 'id_token_at_hash_mismatch'],
  ['sub_missing', 'id_token_sub_missing'],
  ['expires_in_missing', 'token_response_invalid'],
  ['html_answer', 'upstream_invalid_response'],
  ['server_error', 'token_endpoint_unavailable'],
]

async function kvHoldsToken(id: string, accessToken: string | undefined) {
  const raw = (await env.SESSIONS.get(`session:${id}`)) ?? ''
  return (accessToken !== undefined && raw.includes(accessToken)) || /"sealed"/.test(raw)
}

describe('a token response that fails validation fails the session, and stores nothing', () => {
  it.each(rejected)('%s → %s', async (fault, code) => {
    const { session, back, response } = await connectAccount({ returnTo: `${APP_ORIGIN}/done` }, 'approve', { fault })
    expect(response.status).toBe(303)
    const landing = new URL(response.headers.get('location')!)
    expect(Object.fromEntries(landing.searchParams)).toEqual({ session: session.id, status: 'failed', error: code })
    expect(await statusOf(session.id)).toMatchObject({ status: 'failed', error: code })
    expect((await tokens(session.id)).status).toBe(409)
    const issued = (await tokenRequestFor(back.searchParams.get('code')!)).answer
    expect(await kvHoldsToken(session.id, issued?.access_token as string | undefined)).toBe(false)
  })
})

describe('answers that are odd but valid are accepted', () => {
  it.each(['aud_array', 'token_type_odd_case', 'rotate_key'])('%s', async (fault) => {
    const { session } = await connectAccount({}, 'approve', { fault })
    expect(await statusOf(session.id)).toMatchObject({ status: 'connected' })
    const set = await (await tokens(session.id)).json<{ token_type: string }>()
    expect(set.token_type).toBe('Bearer')
  })

  it('a key rotated just before signing is found after one JWKS refetch, and the next connection needs none', async () => {
    await connectAccount({}) // the JWKS is now cached
    const rotated = await connectAccount({}, 'approve', { fault: 'rotate_key' })
    expect(await statusOf(rotated.session.id)).toMatchObject({ status: 'connected' })
    const after = await connectAccount({})
    expect(await statusOf(after.session.id)).toMatchObject({ status: 'connected' })
  })
})

describe('a slow identity server (the timeout itself: test/short-deadlines/upstream-timeout.test.ts)', () => {
  it('the default deadline is 10 s', async () => {
    const { getConfig } = await import('../../src/config')
    const { UPSTREAM_TIMEOUT_MS: _, ...withoutTimeout } = env
    expect((await getConfig(withoutTimeout as Env)).upstreamTimeoutMs).toBe(10_000)
  })
})

describe('JWKS refetches', () => {
  /** Outbound fetches the Worker makes to the issuer's JWKS while `work` runs (the Worker runs in this isolate). */
  async function jwksFetchesDuring(work: () => Promise<unknown>) {
    const { vi } = await import('vitest')
    const { ISSUER } = await import('../helpers')
    const spy = vi.spyOn(globalThis, 'fetch')
    try {
      await work()
      return spy.mock.calls.filter(([input]) => String(input instanceof Request ? input.url : input) === `${ISSUER()}/certs`).length
    } finally {
      spy.mockRestore()
    }
  }

  it('an unknown kid costs exactly one refetch, then fails', async () => {
    await connectAccount({}) // the JWKS is cached now
    let session = ''
    const fetches = await jwksFetchesDuring(async () => {
      session = (await connectAccount({}, 'approve', { fault: 'unknown_kid' })).session.id
    })
    expect(fetches).toBe(1)
    expect(await statusOf(session)).toMatchObject({ status: 'failed', error: 'id_token_key_unknown' })
  })

  it('a key rotated just before signing costs one refetch, then succeeds; the next connection needs none', async () => {
    await connectAccount({})
    expect(await jwksFetchesDuring(() => connectAccount({}, 'approve', { fault: 'rotate_key' }))).toBe(1)
    expect(await jwksFetchesDuring(() => connectAccount({}))).toBe(0)
  })
})
