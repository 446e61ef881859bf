/**
 * One Moneyhub-like identity server, mounted at a base path (its issuer is
 * origin + base). Strict where node-oidc-provider (which Moneyhub runs) is
 * strict: signed client assertions with single-use jti, single-use request_uri
 * and codes (a code used twice revokes its tokens), PKCE S256, exactly one bank
 * selector, registered redirect_uri. /me answers only for a live access token.
 */
import { Hono, type Context } from 'hono'
import { base64url, createLocalJWKSet, jwtVerify, SignJWT } from 'jose'
import { checkAuthParams } from './checks'
import { CLIENT_SCOPES, DATA_SCOPES, issueClientToken } from './clientCredentials'
import { isFault } from './faults'
import { makeServerKey, publishedKeys, registeredClient, rotateServerKey, serverKey, type Client } from './keys'
import { ASSERTION_TYPE, CLIENT_ALGS, GROUP_SELECTORS, MOCK_BANK_ID, OAuthError, PAR_TTL, hex, random, sha256b64 } from './oauth'
import { consentPage, formPost } from './pages'
import { recordConnection, registerUser, users } from './registeredUsers'
import { completeAtExchange, PAYMENT_FLOWS } from './payments'
import { accessTokens, codes, now, pushed, record, refreshTokens, sweep, usedJtis, type AuthParams, type Grant } from './state'

export interface ProviderOptions {
  /** Advertise and serve pushed authorization requests (RFC 9126). */
  par: boolean
}

type MockEnv = { Bindings: Env }

export function provider(options: ProviderOptions) {
  const app = new Hono<MockEnv>()
  const base = (c: Context) => {
    const url = new URL(c.req.url)
    const path = url.pathname
    return url.origin + path.slice(0, path.indexOf('/oidc') + '/oidc'.length)
  }

  const metadata = (issuer: string) => ({
    issuer,
    authorization_endpoint: `${issuer}/auth`,
    token_endpoint: `${issuer}/token`,
    jwks_uri: `${issuer}/certs`,
    revocation_endpoint: `${issuer}/token/revocation`,
    userinfo_endpoint: `${issuer}/me`,
    ...(options.par ? { pushed_authorization_request_endpoint: `${issuer}/request` } : {}),
    response_types_supported: ['code', 'code id_token'],
    response_modes_supported: ['query', 'form_post'],
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    // The second issuer stands for a smaller deployment: it offers no goals scopes.
    scopes_supported: ['openid', 'offline_access', 'id:all', 'id:test', 'reauth', 'reconsent', 'refresh', ...CLIENT_SCOPES]
      .concat([...DATA_SCOPES].filter((s) => options.par || !s.includes('goals')))
      .concat(Object.keys(PAYMENT_FLOWS).filter((s) => !CLIENT_SCOPES.has(s))),
    claims_supported: [
      'sub',
      'mh:con_id',
      'mh:consent',
      'mh:sync',
      'mh:account_verification',
      'mh:cat_type',
      ...Object.values(PAYMENT_FLOWS),
    ],
    claims_parameter_supported: true,
    request_parameter_supported: true,
    request_uri_parameter_supported: false,
    code_challenge_methods_supported: ['S256'],
    id_token_signing_alg_values_supported: ['RS256', 'PS256', 'ES256'],
    request_object_signing_alg_values_supported: CLIENT_ALGS,
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: CLIENT_ALGS,
    authorization_response_iss_parameter_supported: true,
  })

  app.onError((error, c) => {
    if (error instanceof OAuthError) return c.json({ error: error.error, error_description: error.description }, error.status)
    console.error(error)
    return c.json({ error: 'server_error', error_description: 'mock failure' }, 500)
  })

  app.get('/.well-known/openid-configuration', (c) => c.json(metadata(base(c))))

  app.get('/certs', async (c) => c.json({ keys: await publishedKeys() }))

  /** Client authentication by private_key_jwt (RFC 7523 §3), as node-oidc-provider checks it. */
  async function authenticateClient(c: Context<MockEnv>, form: Record<string, string>, endpoint: string): Promise<Client> {
    const client = registeredClient(c.env)
    const issuer = base(c)
    if (form.client_assertion_type !== ASSERTION_TYPE || !form.client_assertion) {
      throw new OAuthError('invalid_client', 'private_key_jwt client authentication is required', 401)
    }
    if (form.client_id !== undefined && form.client_id !== client.clientId) throw new OAuthError('invalid_client', 'unknown client_id', 401)
    let payload
    try {
      ;({ payload } = await jwtVerify(form.client_assertion, client.keys, {
        algorithms: CLIENT_ALGS,
        issuer: client.clientId,
        subject: client.clientId,
        audience: [issuer, `${issuer}/token`, endpoint],
        requiredClaims: ['jti', 'exp', 'iat'],
      }))
    } catch (e) {
      throw new OAuthError('invalid_client', `client assertion rejected: ${(e as Error).message}`, 401)
    }
    if (payload.exp! - now() > 600) throw new OAuthError('invalid_client', 'client assertion lives too long', 401)
    if (usedJtis.has(payload.jti!)) throw new OAuthError('invalid_client', 'client assertion jti was already used', 401)
    usedJtis.set(payload.jti!, payload.exp!)
    return client
  }

  if (options.par) {
    app.post('/request', async (c) => {
      const form = Object.fromEntries(new URLSearchParams(await c.req.text())) as Record<string, string>
      try {
        const client = await authenticateClient(c, form, `${base(c)}/request`)
        const { client_assertion: _a, client_assertion_type: _t, ...params } = form
        const checked = checkAuthParams(client, params)
        const requestUri = `urn:ietf:params:oauth:request_uri:${random()}`
        pushed.set(requestUri, { params: checked, expiresAt: now() + PAR_TTL })
        const answer = { request_uri: requestUri, expires_in: PAR_TTL }
        record({ endpoint: 'par', params: form, status: 201, answer })
        return c.json(answer, 201)
      } catch (e) {
        if (e instanceof OAuthError) record({ endpoint: 'par', params: form, status: e.status, answer: { error: e.error } })
        throw e
      }
    })
  }

  /** The request, from request_uri or a signed request object; plain parameters are refused. */
  async function resolveRequest(c: Context<MockEnv>, query: Record<string, string>): Promise<{ params: AuthParams; requestUri?: string }> {
    const client = registeredClient(c.env)
    if (query.client_id !== client.clientId) throw new OAuthError('invalid_client', 'unknown client_id')
    if (query.request_uri) {
      if (!options.par) throw new OAuthError('request_uri_not_supported', 'this issuer takes request objects by value')
      const entry = pushed.get(query.request_uri)
      if (!entry || entry.expiresAt < now()) throw new OAuthError('invalid_request_uri', 'request_uri is unknown, used or expired')
      return { params: entry.params, requestUri: query.request_uri }
    }
    if (query.request) {
      let payload
      try {
        ;({ payload } = await jwtVerify(query.request, client.keys, {
          algorithms: CLIENT_ALGS,
          issuer: client.clientId,
          audience: base(c),
          typ: 'oauth-authz-req+jwt',
          requiredClaims: ['exp', 'nbf', 'iat', 'jti'],
        }))
      } catch (e) {
        throw new OAuthError('invalid_request_object', `request object rejected: ${(e as Error).message}`)
      }
      // OIDC Core §6.1: response_type and scope outside must match the ones inside.
      if (query.response_type !== payload.response_type || query.scope !== payload.scope) {
        throw new OAuthError('invalid_request', 'response_type and scope must also be sent outside the request object, equal')
      }
      return { params: checkAuthParams(client, payload) }
    }
    throw new OAuthError('invalid_request', options.par ? 'use a pushed authorization request' : 'use a signed request object')
  }

  app.get('/auth', async (c) => {
    const query = c.req.query()
    const { params, requestUri } = await resolveRequest(c, query)
    const selector = params.scope
      .split(' ')
      .find((s) => s.startsWith('id:'))
      ?.slice(3)
    const decision = query.decision
    if (decision !== 'approve' && decision !== 'deny') return c.html(consentPage(c.req.url, params, selector))
    if (requestUri) pushed.delete(requestUri) // single use
    const back = new URL(params.redirect_uri)
    back.searchParams.set('state', params.state)
    back.searchParams.set('iss', base(c))
    const hybrid = params.response_type === 'code id_token'
    if (decision === 'deny') {
      back.searchParams.set('error', 'access_denied')
      back.searchParams.set('error_description', 'The user refused consent at the bank')
      return hybrid ? c.html(formPost(params.redirect_uri, back.searchParams)) : c.redirect(back.href, 303)
    }
    const bankId = selector === undefined ? undefined : GROUP_SELECTORS.has(selector) ? query.bank || MOCK_BANK_ID : selector
    const sub = (params.claims.id_token.sub?.value as string | undefined) ?? hex(12)
    const conId = (params.claims.id_token['mh:con_id']?.value as string | undefined) ?? `${bankId}:${crypto.randomUUID()}`
    const code = random(32)
    // Granted scope as Moneyhub writes it: the chosen bank, then openid ("id:<bankId> openid").
    const others = params.scope.split(' ').filter((s) => s !== 'openid' && !s.startsWith('id:'))
    // offline_access is granted only with prompt=consent (OIDC Core §11), which checkAuthParams requires.
    const grantedScope = [...(bankId ? [`id:${bankId}`] : []), ...others, 'openid'].join(' ')
    if (query.fault !== undefined && !isFault(query.fault)) throw new OAuthError('invalid_request', 'unknown fault')
    const fault = query.fault ? { fault: query.fault, delayMs: Number(query.delay_ms ?? 3000) } : {}
    const lifetime = query.expires_in ? { expiresIn: Number(query.expires_in) } : {}
    codes.set(code, { params, sub, conId, bankId, scope: grantedScope, expiresAt: now() + 600, used: false, ...fault, ...lifetime })
    // A new user (no sub asked for) is Moneyhub's user from now on; the bank now holds accounts for this connection.
    if (!users.has(sub) && !params.claims.id_token.sub?.value) registerUser(params.client_id, undefined, sub)
    recordConnection(sub, conId, bankId)
    back.searchParams.set('code', code)
    sweep()
    if (!hybrid) return c.redirect(back.href, 303)
    back.searchParams.set('id_token', await frontChannelIdToken(c, params, { sub, conId, code }, query.fault))
    return c.html(formPost(params.redirect_uri, back.searchParams))
  })

  /** The hybrid flow's id_token (OIDC Core §3.3.2.11): binds the code (c_hash) and, as FAPI asks, the state (s_hash). */
  async function frontChannelIdToken(
    c: Context<MockEnv>,
    params: AuthParams,
    issued: { sub: string; conId: string; code: string },
    fault?: string,
  ) {
    const key = await serverKey()
    const half = async (value: string) =>
      base64url.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value))).slice(0, 16))
    const t = now()
    return new SignJWT({
      'mh:con_id': issued.conId,
      nonce: fault === 'front_nonce_wrong' ? 'not-the-nonce' : params.nonce,
      c_hash: fault === 'c_hash_wrong' ? await half('another code') : await half(issued.code),
      ...(fault === 's_hash_missing' ? {} : { s_hash: await half(params.state) }),
    })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid })
      .setSubject(fault === 'front_sub_other' ? 'someone-else' : issued.sub)
      .setAudience(registeredClient(c.env).clientId)
      .setIssuer(base(c))
      .setIssuedAt(t)
      .setExpirationTime(t + 600)
      .sign(key.privateKey)
  }

  app.post('/token', async (c) => {
    const form = Object.fromEntries(new URLSearchParams(await c.req.text())) as Record<string, string>
    try {
      const client = await authenticateClient(c, form, `${base(c)}/token`)
      let grant: Grant
      let nonce: string | undefined
      let refreshing: string | undefined
      if (form.grant_type === 'authorization_code') {
        const issued = form.code ? codes.get(form.code) : undefined
        // RFC 6749 §4.1.2, as node-oidc-provider does it: a code presented twice is refused, and what it issued is revoked.
        if (issued?.used) issued.revoked = true
        if (!issued || issued.used || issued.expiresAt < now()) throw new OAuthError('invalid_grant', 'code is unknown, used or expired')
        issued.used = true
        if (issued.params.client_id !== client.clientId) throw new OAuthError('invalid_grant', 'code was issued to another client')
        if (form.redirect_uri !== issued.params.redirect_uri) throw new OAuthError('invalid_grant', 'redirect_uri does not match')
        if (!form.code_verifier || (await sha256b64(form.code_verifier)) !== issued.params.code_challenge) {
          throw new OAuthError('invalid_grant', 'PKCE verification failed')
        }
        grant = issued
        nonce = issued.params.nonce
      } else if (form.grant_type === 'refresh_token') {
        const issued = form.refresh_token ? refreshTokens.get(form.refresh_token) : undefined
        // Rotation with reuse detection, as node-oidc-provider does it: a spent refresh token is refused.
        if (!issued || issued.used || issued.grant.revoked)
          throw new OAuthError('invalid_grant', 'refresh token is unknown, used or revoked')
        if (issued.grant.fault !== 'refresh_no_rotation') issued.used = true
        grant = issued.grant
        refreshing = form.refresh_token
      } else if (form.grant_type === 'client_credentials') {
        const answer = issueClientToken(client.clientId, form, Number(c.env.ACCESS_TOKEN_TTL || 3600))
        record({ endpoint: 'token', params: form, status: 200, answer })
        return c.json(answer, 200, { 'cache-control': 'no-store' })
      } else {
        throw new OAuthError('unsupported_grant_type', 'authorization_code, refresh_token or client_credentials')
      }
      if (form.sub !== undefined && form.sub !== grant.sub) throw new OAuthError('invalid_grant', 'sub does not match the user')
      if (grant.fault === 'slow') await new Promise((r) => setTimeout(r, grant.delayMs))
      if (grant.fault === 'server_error') {
        record({ endpoint: 'token', params: form, status: 503 })
        return c.json({ error: 'server_error', error_description: 'try later' }, 503)
      }
      if (grant.fault === 'html_answer') {
        record({ endpoint: 'token', params: form, status: 200 })
        return c.html('<html><body>Service <b>temporarily</b> unavailable</body></html>')
      }
      // The code exchange is what makes a payment (MONEYHUB-NOTES.md, "Payments"); its id goes into the id_token.
      const made = form.grant_type === 'authorization_code' ? completeAtExchange(grant) : {}
      // Assumption (project): a server failing after its work is done (a proxy timeout, a crash before the answer).
      if (grant.fault === 'server_error_after_payment') {
        record({ endpoint: 'token', params: form, status: 503 })
        return c.json({ error: 'server_error', error_description: 'try later' }, 503)
      }
      // Moneyhub's docs name only mh:payment in the id_token (MONEYHUB-NOTES.md, "Payments"): the others may be absent.
      if (grant.fault === 'id_claim_missing') for (const claim of Object.keys(made)) delete made[claim]
      const answer = await issueTokens(c, client, grant, nonce, refreshing, made)
      record({ endpoint: 'token', params: form, status: 200, answer })
      return c.json(answer, 200, { 'cache-control': 'no-store' })
    } catch (e) {
      if (e instanceof OAuthError) record({ endpoint: 'token', params: form, status: e.status, answer: { error: e.error } })
      throw e
    }
  })

  /** RFC 7009: revoking a refresh token ends its grant; 200 whatever the token was. */
  app.post('/token/revocation', async (c) => {
    const form = Object.fromEntries(new URLSearchParams(await c.req.text())) as Record<string, string>
    await authenticateClient(c, form, `${base(c)}/token/revocation`)
    const grant = refreshTokens.get(form.token ?? '')?.grant ?? accessTokens.get(form.token ?? '')
    if (grant?.fault === 'revocation_error') {
      record({ endpoint: 'revocation', params: form, status: 503 })
      return c.json({ error: 'server_error' }, 503)
    }
    if (grant) grant.revoked = true
    record({ endpoint: 'revocation', params: form, status: 200 })
    return c.body(null, 200)
  })

  /** `nonce` only at the code exchange: a refreshed id_token has none (OIDC Core §12.2). */
  async function issueTokens(
    c: Context<MockEnv>,
    client: Client,
    issued: Grant,
    nonce: string | undefined,
    refreshing?: string,
    made: Record<string, string> = {},
  ) {
    const fault = issued.fault
    const key = fault === 'rotate_key' ? await rotateServerKey() : await serverKey()
    const issuer = base(c)
    const t = now()
    const expiresIn = issued.expiresIn ?? Number(c.env.ACCESS_TOKEN_TTL || 3600)
    const accessToken = await new SignJWT({ scope: issued.scope, claims: issued.params.claims })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid })
      .setJti(random(16))
      .setSubject(issued.sub)
      .setIssuer(issuer)
      .setAudience(client.clientId)
      .setIssuedAt(t)
      .setExpirationTime(t + expiresIn)
      .sign(key.privateKey)
    const atHash = base64url.encode(
      new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(accessToken))).slice(0, 16),
    )

    // The id_token as Moneyhub issues it (see the seed), then bent by the fault, if any.
    const claims: Record<string, unknown> = {
      sub: issued.sub,
      'mh:con_id': issued.conId,
      ...made,
      auth_time: t,
      ...(nonce ? { nonce } : {}),
      at_hash: atHash,
      sid: crypto.randomUUID(),
      aud: client.clientId,
      exp: t + 3600,
      iat: t,
      iss: issuer,
    }
    if (fault === 'iss_wrong') claims.iss = 'https://attacker.example/oidc'
    if (fault === 'iss_missing') delete claims.iss
    if (fault === 'aud_wrong') claims.aud = 'another-client'
    if (fault === 'aud_missing') delete claims.aud
    if (fault === 'aud_extra') Object.assign(claims, { aud: [client.clientId, 'another-client'], azp: client.clientId })
    if (fault === 'aud_array') claims.aud = [client.clientId]
    if (fault === 'expired') Object.assign(claims, { iat: t - 200, exp: t - 100 })
    if (fault === 'exp_missing') delete claims.exp
    if (fault === 'iat_old') claims.iat = t - 3600
    if (fault === 'nonce_wrong') claims.nonce = 'not-the-nonce'
    if (fault === 'nonce_missing') delete claims.nonce
    if (fault === 'at_hash_wrong') claims.at_hash = atHash.replace(/^./, (ch) => (ch === 'A' ? 'B' : 'A'))
    if (fault === 'sub_missing') delete claims.sub

    let idToken: string
    if (fault === 'alg_none') {
      idToken = `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${base64url.encode(JSON.stringify(claims))}.`
    } else if (fault === 'alg_hs256') {
      idToken = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .sign(new TextEncoder().encode(client.clientId.padEnd(32, '0')))
    } else {
      const signer = fault === 'rogue_signature' || fault === 'unknown_kid' ? await makeServerKey() : key
      const kid = fault === 'rogue_signature' ? key.kid : signer.kid
      idToken = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid }).sign(signer.privateKey)
    }
    accessTokens.set(accessToken, issued)
    let refreshToken: string | undefined
    if (issued.scope.split(' ').includes('offline_access') && !(refreshing && issued.fault === 'refresh_no_rotation')) {
      refreshToken = random(32)
      refreshTokens.set(refreshToken, { grant: issued, used: false })
    }
    return {
      access_token: accessToken,
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
      ...(fault === 'expires_in_missing' ? {} : { expires_in: expiresIn }),
      // OIDC Core §12.2: a refresh response may come without an id_token.
      ...(refreshing && fault === 'refresh_no_id_token' ? {} : { id_token: idToken }),
      scope: issued.scope,
      token_type: fault === 'token_type_odd_case' ? 'bEaReR' : 'Bearer',
    }
  }

  app.get('/me', async (c) => {
    const token = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1]
    try {
      const { payload } = await jwtVerify(token ?? '', createLocalJWKSet({ keys: await publishedKeys() }), { issuer: base(c) })
      if (accessTokens.get(token!)?.revoked) throw new Error('revoked')
      return c.json({ sub: payload.sub })
    } catch {
      return c.json({ error: 'invalid_token' }, 401)
    }
  })

  return app
}
