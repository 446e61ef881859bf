/**
 * One Moneyhub-like identity server, mounted at a base path (its issuer is
 * origin + base). Strict where node-oidc-provider (which Moneyhub runs) is
 * strict: signed client assertions with single-use jti, single-use request_uri
 * and codes (a code used twice revokes its tokens), PKCE S256, exactly one bank
 * selector, registered redirect_uri. /me answers only for a live access token.
 */
import { Hono, type Context } from 'hono'
import { base64url, createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, SignJWT, UnsecuredJWT } from 'jose'
import { checkAuthParams } from './checks'
import { CLIENT_SCOPES, DATA_SCOPES, issueClientToken } from './clientCredentials'
import { isFault } from './faults'
import { clientById, makeServerKey, publishedKeys, rotateServerKey, serverKey, type Client } from './keys'
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

  // Source: Moneyhub's discovery document ({issuer}/.well-known/openid-configuration, https://docs.moneyhubenterprise.com/docs/authentication), read by the official client (5.2.1: node_modules/@mft/moneyhub-api-client dist/index.js, Issuer.discover; 6.x: moneyhub/moneyhub-api-client src/discovery.ts).
  const metadata = (issuer: string) => ({
    issuer,
    authorization_endpoint: `${issuer}/auth`,
    token_endpoint: `${issuer}/token`,
    jwks_uri: `${issuer}/certs`,
    revocation_endpoint: `${issuer}/token/revocation`,
    userinfo_endpoint: `${issuer}/me`,
    // Source: Moneyhub docs, "Pushed Authorisation Requests"; moneyhub/moneyhub-api-client src/get-auth-urls.ts getPushedAuthorisationRequestUrl pushes to this endpoint.
    ...(options.par ? { pushed_authorization_request_endpoint: `${issuer}/request` } : {}),
    response_types_supported: ['code', 'code id_token'],
    response_modes_supported: ['query', 'form_post'],
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    // The second issuer stands for a smaller deployment: it offers no goals scopes. The client-level and data scopes
    // are those the official client's src/requests/*.ts ask for (clientCredentials.ts cites each).
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
    // Source: moneyhub/moneyhub-api-client src/get-auth-urls.ts getPushedAuthorisationRequestUrl (code_challenge_method S256).
    code_challenge_methods_supported: ['S256'],
    // Assumption (project): RS256 (as Moneyhub's example id_token, https://docs.moneyhubenterprise.com/v2.5/docs/connect-an-account), PS256 and ES256; HS256 left out.
    id_token_signing_alg_values_supported: ['RS256', 'PS256', 'ES256'],
    request_object_signing_alg_values_supported: CLIENT_ALGS,
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: CLIENT_ALGS,
    // Assumption (project): Moneyhub's server sends iss on the redirect (RFC 9207), as node-oidc-provider can (https://github.com/panva/node-oidc-provider).
    authorization_response_iss_parameter_supported: true,
  })

  app.onError((error, c) => {
    if (error instanceof OAuthError) return c.json({ error: error.error, error_description: error.description }, error.status)
    console.error(error)
    return c.json({ error: 'server_error', error_description: 'mock failure' }, 500)
  })

  app.get('/.well-known/openid-configuration', (c) => c.json(metadata(base(c))))

  // Source: the discovery document names the JWKS endpoint (https://docs.moneyhubenterprise.com/docs/authentication). Assumption (project): at {issuer}/certs.
  app.get('/certs', async (c) => c.json({ keys: await publishedKeys() }))

  /** Client authentication by private_key_jwt (RFC 7523 §3), as node-oidc-provider checks it. */
  async function authenticateClient(c: Context<MockEnv>, form: Record<string, string>, endpoint: string): Promise<Client> {
    const issuer = base(c)
    // Source: Moneyhub docs v2.5, "Completing A Connection" (client_assertion with client_assertion_type jwt-bearer); private_key_jwt is the method this project registers.
    if (form.client_assertion_type !== ASSERTION_TYPE || !form.client_assertion) {
      throw new OAuthError('invalid_client', 'private_key_jwt client authentication is required', 401)
    }
    // RFC 7523 §3: the client is the assertion's issuer; a client_id beside it must name the same client.
    let claimed: string | undefined
    try {
      claimed = decodeJwt(form.client_assertion).iss
    } catch {
      throw new OAuthError('invalid_client', 'client assertion is not a JWT', 401)
    }
    const client = clientById(c.env, form.client_id ?? claimed)
    // Assumption (project): as node-oidc-provider checks it (RFC 7523 §3: iss and sub are the client id).
    if (!client || (form.client_id !== undefined && form.client_id !== claimed))
      throw new OAuthError('invalid_client', 'unknown client_id', 401)
    let payload
    try {
      ;({ payload } = await jwtVerify(form.client_assertion, client.keys, {
        algorithms: CLIENT_ALGS,
        issuer: client.clientId,
        subject: client.clientId,
        // Source: Moneyhub's reference for POST /oidc/request ("The aud property should be the token endpoint"); moneyhub/moneyhub-api-client src/index.ts via openid-client's authenticatedPost sends [issuer, token_endpoint, endpoint]; node-oidc-provider accepts each.
        audience: [issuer, `${issuer}/token`, endpoint],
        requiredClaims: ['jti', 'exp', 'iat'],
      }))
    } catch (e) {
      throw new OAuthError('invalid_client', `client assertion rejected: ${(e as Error).message}`, 401)
    }
    // Assumption (project): a bound on assertion lifetime; @mft/moneyhub-api-client (openid-client authenticatedPost) uses 60 s.
    if (payload.exp! - now() > 600) throw new OAuthError('invalid_client', 'client assertion lives too long', 401)
    // Source: "a fresh JWT with unique jti. You will get errors back if you try to use the same JWT twice" (https://docs.moneyhubenterprise.com/v2.5/docs/connect-an-account); Assumption (project): at every endpoint.
    if (usedJtis.has(payload.jti!)) throw new OAuthError('invalid_client', 'client assertion jti was already used', 401)
    usedJtis.set(payload.jti!, payload.exp!)
    return client
  }

  // Source: Moneyhub docs, "Pushed Authorisation Requests"; moneyhub/moneyhub-api-client src/get-auth-urls.ts getPushedAuthorisationRequestUrl (client.pushedAuthorizationRequest).
  if (options.par) {
    app.post('/request', async (c) => {
      const form = Object.fromEntries(new URLSearchParams(await c.req.text())) as Record<string, string>
      try {
        const client = await authenticateClient(c, form, `${base(c)}/request`)
        const { client_assertion: _a, client_assertion_type: _t, ...params } = form
        const checked = checkAuthParams(client, await pushedParameters(c, client, params))
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

  /**
   * The parameters of a pushed request, as the client's registered request object signing algorithm allows them.
   * Moneyhub's "Pushed Authorisation Requests" page: "If request object signing is turned on, you will have to send a
   * signed request object to the PAR end point"; a request object is then the only source of parameters (RFC 9126 §3).
   */
  async function pushedParameters(c: Context<MockEnv>, client: Client, form: Record<string, string>): Promise<Record<string, unknown>> {
    return requestObjectParameters(base(c), client, form)
  }

  /** The request, from request_uri or a signed request object; plain parameters are refused. */
  async function resolveRequest(c: Context<MockEnv>, query: Record<string, string>): Promise<{ params: AuthParams; requestUri?: string }> {
    const client = clientById(c.env, query.client_id)
    // Assumption (project): client_id beside request_uri or request, as RFC 9126 §4 and RFC 9101 §5 ask.
    if (!client) throw new OAuthError('invalid_client', 'unknown client_id')
    if (query.request_uri) {
      // Assumption (project): the /nopar issuer stands for a deployment without PAR.
      if (!options.par) throw new OAuthError('request_uri_not_supported', 'this issuer takes request objects by value')
      const entry = pushed.get(query.request_uri)
      // Assumption (project): as node-oidc-provider, a request_uri expires and works once (RFC 9126 §2.2, §4).
      if (!entry || entry.expiresAt < now()) throw new OAuthError('invalid_request_uri', 'request_uri is unknown, used or expired')
      return { params: entry.params, requestUri: query.request_uri }
    }
    // Source: moneyhub/moneyhub-api-client src/get-auth-urls.ts getAuthorizeUrl (a signed request object by value, client.requestObject). Assumption (project): Moneyhub still takes it beside PAR, which it recommends (https://docs.moneyhubenterprise.com/docs/creating-an-authorisation-url).
    if (query.request) {
      let payload
      try {
        ;({ payload } = await jwtVerify(query.request, client.keys, {
          algorithms: CLIENT_ALGS,
          issuer: client.clientId,
          audience: base(c),
          typ: 'oauth-authz-req+jwt',
          // Assumption (project): FAPI 1 Advanced §5.2.2's claims for a request object by value.
          requiredClaims: ['exp', 'nbf', 'iat', 'jti'],
        }))
      } catch (e) {
        throw new OAuthError('invalid_request_object', `request object rejected: ${(e as Error).message}`)
      }
      // Assumption (project): OIDC Core §6.1; moneyhub/moneyhub-api-client src/get-auth-urls.ts getAuthorizeUrl sends them outside too.
      if (query.response_type !== payload.response_type || query.scope !== payload.scope) {
        throw new OAuthError('invalid_request', 'response_type and scope must also be sent outside the request object, equal')
      }
      return { params: checkAuthParams(client, payload) }
    }
    // Assumption (project): plain parameters in the URL are refused, so that every test proves the Worker protects them.
    throw new OAuthError('invalid_request', options.par ? 'use a pushed authorization request' : 'use a signed request object')
  }

  app.get('/auth', async (c) => {
    const query = c.req.query()
    // For tests (docs/conformance.md): a request object sent by value is recorded, as pushed ones are.
    const resolved = resolveRequest(c, query)
    if (query.request && !query.decision) {
      const outcome = await resolved.then(
        () => ({ status: 200 }),
        (e) => ({
          status: e instanceof OAuthError ? e.status : 500,
          answer: { error: e instanceof OAuthError ? e.error : 'server_error' },
        }),
      )
      record({ endpoint: 'auth', params: query, ...outcome })
    }
    const { params, requestUri } = await resolved
    const selector = params.scope
      .split(' ')
      .find((s) => s.startsWith('id:'))
      ?.slice(3)
    const decision = query.decision
    // Assumption (project): the user's decision comes as ?decision=approve|deny (the consent page's buttons, or a test).
    if (decision !== 'approve' && decision !== 'deny') return c.html(consentPage(c.req.url, params, selector))
    if (requestUri) pushed.delete(requestUri) // single use
    const back = new URL(params.redirect_uri)
    back.searchParams.set('state', params.state)
    // Assumption (project): RFC 9207 iss on the redirect, as node-oidc-provider sends it when advertised.
    back.searchParams.set('iss', base(c))
    const hybrid = params.response_type === 'code id_token'
    if (decision === 'deny') {
      // Assumption (project): the redirect's error and error_description (RFC 6749 §4.1.2.1).
      back.searchParams.set('error', 'access_denied')
      back.searchParams.set('error_description', 'The user refused consent at the bank')
      return hybrid ? c.html(formPost(params.redirect_uri, back.searchParams)) : c.redirect(back.href, 303)
    }
    // Source: moneyhub/moneyhub-api-client src/get-auth-urls.ts (scope id:<bankId>); a group selector lets the user choose (?bank=, else the test bank).
    const bankId = selector === undefined ? undefined : GROUP_SELECTORS.has(selector) ? query.bank || MOCK_BANK_ID : selector
    // Source: moneyhub/moneyhub-api-client src/get-auth-urls.ts getAuthorizeUrlForCreatedUser (sub with value: that user) and getReauthAuthorizeUrlForCreatedUser (mh:con_id with value).
    const sub = (params.claims.id_token.sub?.value as string | undefined) ?? hex(12)
    const conId = (params.claims.id_token['mh:con_id']?.value as string | undefined) ?? `${bankId}:${crypto.randomUUID()}`
    const code = random(32)
    // Granted scope as Moneyhub writes it: the chosen bank, then openid ("id:<bankId> openid").
    const others = params.scope.split(' ').filter((s) => s !== 'openid' && !s.startsWith('id:'))
    // offline_access is granted only with prompt=consent (OIDC Core §11), which checkAuthParams requires.
    // Assumption (project): the granted scope as the seed's token response writes it.
    const grantedScope = [...(bankId ? [`id:${bankId}`] : []), ...others, 'openid'].join(' ')
    // Assumption (project): faults are the mock's test devices (faults.ts).
    if (query.fault !== undefined && !isFault(query.fault)) throw new OAuthError('invalid_request', 'unknown fault')
    const fault = query.fault ? { fault: query.fault, delayMs: Number(query.delay_ms ?? 3000) } : {}
    const lifetime = query.expires_in ? { expiresIn: Number(query.expires_in) } : {}
    // Source: "Authorization codes last for 10 minutes, and can only be used once" (https://docs.moneyhubenterprise.com/docs/completing-a-connection).
    codes.set(code, { params, sub, conId, bankId, scope: grantedScope, expiresAt: now() + 600, used: false, ...fault, ...lifetime })
    // Assumption (project): a new user (no sub asked for) is Moneyhub's user from now on; the bank now holds accounts for this connection.
    if (!users.has(sub) && !params.claims.id_token.sub?.value) registerUser(params.client_id, undefined, sub)
    recordConnection(sub, conId, bankId)
    back.searchParams.set('code', code)
    sweep()
    // Assumption (project): the hybrid flow's answer by form_post only (RESPONSE_TYPE=code id_token, README).
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
      // Assumption (project): OIDC Core §3.3.2.11 c_hash, and FAPI's s_hash.
      c_hash: fault === 'c_hash_wrong' ? await half('another code') : await half(issued.code),
      ...(fault === 's_hash_missing' ? {} : { s_hash: await half(params.state) }),
    })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid })
      .setSubject(fault === 'front_sub_other' ? 'someone-else' : issued.sub)
      .setAudience(params.client_id)
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
        // Source: RFC 6749 §4.1.2: a code presented twice is refused, and what it issued SHOULD be revoked; Moneyhub's codes "can only be used once" (https://docs.moneyhubenterprise.com/docs/completing-a-connection). Assumption (project): Moneyhub revokes.
        if (issued?.used) issued.revoked = true
        if (!issued || issued.used || issued.expiresAt < now()) throw new OAuthError('invalid_grant', 'code is unknown, used or expired')
        issued.used = true
        // Assumption (project): RFC 6749 §4.1.3, as node-oidc-provider checks it.
        if (issued.params.client_id !== client.clientId) throw new OAuthError('invalid_grant', 'code was issued to another client')
        // Source: Moneyhub docs v2.5, "Completing A Connection" (redirect_uri: "The redirect uri used in the auth url").
        if (form.redirect_uri !== issued.params.redirect_uri) throw new OAuthError('invalid_grant', 'redirect_uri does not match')
        // Assumption (project): RFC 7636 §4.6, as node-oidc-provider verifies it.
        if (!form.code_verifier || (await sha256b64(form.code_verifier)) !== issued.params.code_challenge) {
          throw new OAuthError('invalid_grant', 'PKCE verification failed')
        }
        grant = issued
        nonce = issued.params.nonce
      } else if (form.grant_type === 'refresh_token') {
        const issued = form.refresh_token ? refreshTokens.get(form.refresh_token) : undefined
        // Assumption (project): rotation with reuse detection, as node-oidc-provider does it: a spent refresh token is refused.
        if (!issued || issued.used || issued.grant.revoked)
          throw new OAuthError('invalid_grant', 'refresh token is unknown, used or revoked')
        if (issued.grant.fault !== 'refresh_no_rotation') issued.used = true
        grant = issued.grant
        refreshing = form.refresh_token
      } else if (form.grant_type === 'client_credentials') {
        // Source: moneyhub/moneyhub-api-client src/tokens.ts getClientCredentialTokens (grant_type client_credentials, scope, sub).
        const answer = issueClientToken(client.clientId, form, Number(c.env.ACCESS_TOKEN_TTL || 3600))
        record({ endpoint: 'token', params: form, status: 200, answer })
        return c.json(answer, 200, { 'cache-control': 'no-store' })
      } else {
        // Assumption (project): the grant types of Moneyhub's "Create a Client" page less implicit (https://docs.moneyhubenterprise.com/docs/create-a-client); RFC 6749 §5.2 for the rest.
        throw new OAuthError('unsupported_grant_type', 'authorization_code, refresh_token or client_credentials')
      }
      // Source: Moneyhub docs v2.5, "Completing A Connection" (sub: "Your userId if you have one"); refusing another user's id is the project's assumption.
      if (form.sub !== undefined && form.sub !== grant.sub) throw new OAuthError('invalid_grant', 'sub does not match the user')
      if (grant.fault === 'slow' || (grant.fault === 'slow_refresh' && refreshing)) await new Promise((r) => setTimeout(r, grant.delayMs))
      if (grant.fault === 'server_error') {
        record({ endpoint: 'token', params: form, status: 503 })
        return c.json({ error: 'server_error', error_description: 'try later' }, 503)
      }
      if (grant.fault === 'html_answer') {
        record({ endpoint: 'token', params: form, status: 200 })
        return c.html('<html><body>Service <b>temporarily</b> unavailable</body></html>')
      }
      // RFC 6749 §5.2: the server refuses the grant, before doing anything with it.
      if (grant.fault === 'code_refused') {
        record({ endpoint: 'token', params: form, status: 400 })
        return c.json({ error: 'invalid_grant', error_description: 'the code was refused' }, 400)
      }
      // The code exchange is what makes a payment; its id goes into the id_token.
      // Source: https://docs.moneyhubenterprise.com/docs/payments-authorization: "If you don't exchange the auth code for an access token, the payment will never be completed".
      const made = form.grant_type === 'authorization_code' ? completeAtExchange(grant) : {}
      // Assumption (project): a server failing after its work is done (a proxy timeout, a crash before the answer).
      if (['server_error_after_payment', 'clock_behind_after_payment', 'clock_ahead_after_payment'].includes(grant.fault ?? '')) {
        record({ endpoint: 'token', params: form, status: 503 })
        return c.json({ error: 'server_error', error_description: 'try later' }, 503)
      }
      // Assumption (project): a gateway in front of the server times out after the server's work is done (no OAuth error body).
      if (grant.fault === 'bare_4xx_after_payment') {
        record({ endpoint: 'token', params: form, status: 408 })
        return c.json({ message: 'request timeout' }, 408)
      }
      // Assumption (project): a server, or a gateway in front of it, answering its own trouble after the work as an OAuth-shaped
      // 4xx with an error code RFC 6749 §5.2 does not define for the token endpoint (§4.1.2.1's, for the authorization endpoint).
      if (grant.fault === 'odd_error_after_payment') {
        record({ endpoint: 'token', params: form, status: 400 })
        return c.json({ error: 'temporarily_unavailable', error_description: 'try later' }, 400)
      }
      // Moneyhub's docs name only mh:payment in the id_token (https://docs.moneyhubenterprise.com/docs/payments-authorization): the others may be absent.
      if (grant.fault === 'id_claim_missing') for (const claim of Object.keys(made)) delete made[claim]
      // Assumption (project): Moneyhub's payments claim page documents mh:payment alone; a refund's may be all there is.
      if (grant.fault === 'reverse_id_missing') delete made['mh:reverse_payment']
      const answer = await issueTokens(c, client, grant, nonce, refreshing, made)
      record({ endpoint: 'token', params: form, status: 200, answer })
      return c.json(answer, 200, { 'cache-control': 'no-store' })
    } catch (e) {
      if (e instanceof OAuthError) record({ endpoint: 'token', params: form, status: e.status, answer: { error: e.error } })
      throw e
    }
  })

  /** RFC 7009: revoking a refresh token ends its grant; 200 whatever the token was. */
  // Assumption (project): RFC 7009 at node-oidc-provider's revocation endpoint, authenticated like the token endpoint.
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
    // Source: the id_token of Moneyhub's example token set (sub, mh:con_id, nonce, at_hash, …; https://docs.moneyhubenterprise.com/v2.5/docs/connect-an-account); moneyhub/moneyhub-api-client src/exchange-code-for-token.ts hands the nonce to openid-client's validateIdToken, which checks it and at_hash.
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
    // Assumption (project): a refresh token only with offline_access (OIDC Core §11).
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

  // Assumption (project): node-oidc-provider's userinfo endpoint answers only for a live access token.
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

/**
 * A pushed request's parameters, as the client's registered request object signing algorithm allows them: plain form
 * fields only for a client registered with `none`; else only the signed request object's members.
 */
async function requestObjectParameters(issuer: string, client: Client, form: Record<string, string>): Promise<Record<string, unknown>> {
  const signing = client.requestObjectSigningAlg
  if (form.request === undefined) {
    // Source: Moneyhub docs, "Pushed Authorisation Requests": "If request object signing is turned on, you will have to send a signed request object to the PAR end point".
    if (signing !== 'none') throw new OAuthError('invalid_request', `this client must push a signed request object (${signing})`)
    return form
  }
  // node-oidc-provider (Moneyhub's server): a request object in another algorithm than the registered one is refused.
  let alg: string | undefined
  try {
    alg = decodeProtectedHeader(form.request).alg
  } catch {
    throw new OAuthError('invalid_request_object', 'request is not a JWT')
  }
  // Source: OpenID Connect Dynamic Client Registration 1.0 §2 (request objects not signed with request_object_signing_alg "MUST be rejected"), OIDC Core §3.1.2.6 (invalid_request_object); payment clients sign "if using request objects" (https://docs.moneyhubenterprise.com/docs/single-immediate-payments).
  if (alg !== signing) throw new OAuthError('invalid_request_object', `request objects of this client must use ${signing}, not ${alg}`)
  let payload: Record<string, unknown>
  try {
    // RFC 9101 §4: iss the client, aud the issuer; exp, iat and jti as openid-client's requestObject (the official client) sets them.
    const expected = { issuer: client.clientId, audience: issuer, requiredClaims: ['exp', 'iat', 'jti'] }
    payload =
      signing === 'none'
        ? UnsecuredJWT.decode(form.request, expected).payload
        : (await jwtVerify(form.request, client.keys, { ...expected, algorithms: [signing] })).payload
  } catch (e) {
    throw new OAuthError('invalid_request_object', `request object rejected: ${(e as Error).message}`)
  }
  // Assumption (project): node-oidc-provider refuses a request object replayed at PAR, as it does a client assertion.
  if (usedJtis.has(`request:${payload.jti}`)) throw new OAuthError('invalid_request_object', 'request object jti was already used')
  usedJtis.set(`request:${payload.jti}`, payload.exp as number)
  // Assumption (project): RFC 9126 §3, as node-oidc-provider checks it: the client_id outside must be the one inside.
  if (payload.client_id !== form.client_id)
    throw new OAuthError('invalid_request_object', 'client_id differs inside and outside the request object')
  const { iss: _iss, aud: _aud, exp: _exp, nbf: _nbf, iat: _iat, jti: _jti, ...params } = payload
  return params
}

/**
 * Moneyhub's older request endpoint at the identity base, `{identity}/request`, as the official client 5.2.1 uses it for
 * payments (src/get-auth-urls.ts, getRequestObject and getRequestUri): the body is the request object itself
 * (`Content-Type: application/jws`), the answer the request_uri as text. No client authentication: the request
 * object's signature is the client's.
 */
// Source: moneyhub/moneyhub-api-client src/get-auth-urls.ts getRequestUri.
export function jwsRequestEndpoint() {
  const app = new Hono<MockEnv>()
  app.post('/request', async (c) => {
    const request = (await c.req.text()).trim()
    const url = new URL(c.req.url)
    const issuer = `${url.origin}${url.pathname.replace(/\/request$/, '')}/oidc`
    try {
      let clientId: string | undefined
      try {
        clientId = decodeJwt(request).iss
      } catch {
        throw new OAuthError('invalid_request_object', 'the body is not a request object')
      }
      const client = clientById(c.env, clientId)
      if (!client) throw new OAuthError('invalid_client', 'unknown client')
      const checked = checkAuthParams(client, await requestObjectParameters(issuer, client, { request, client_id: client.clientId }))
      const requestUri = `urn:ietf:params:oauth:request_uri:${random()}`
      pushed.set(requestUri, { params: checked, expiresAt: now() + PAR_TTL })
      record({ endpoint: 'request', params: { request }, status: 201, answer: { request_uri: requestUri } })
      return c.text(requestUri, 201)
    } catch (e) {
      if (e instanceof OAuthError) record({ endpoint: 'request', params: { request }, status: e.status, answer: { error: e.error } })
      throw e
    }
  })
  app.onError((error, c) => {
    if (error instanceof OAuthError) return c.json({ error: error.error, error_description: error.description }, error.status)
    throw error
  })
  return app
}
