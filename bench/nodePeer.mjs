#!/usr/bin/env node
/**
 * The bench's peer: what a team would otherwise run, a Node server with openid-client doing the same connection flow
 * against the same mock identity server, with the same four requests per connection (POST /sessions, the
 * authorizeUrl, /callback, the status). The launch pushes a signed request object (RFC 9126 with RFC 9101, as the mock
 * requires of this client) with private_key_jwt; the callback exchanges the code (PKCE) and checks the id_token
 * (signature, iss, aud, nonce: openid-client's authorizationCodeGrant); the token set is sealed with AES-GCM, as the
 * Worker stores it. Sessions live in this process's memory. `npm run bench` runs it in a process of its own and reads
 * its CPU from /proc, as the Worker's workerd.
 *
 * Environment: PORT, ISSUER, CLIENT_ID, CLIENT_PRIVATE_JWKS, BACKEND_API_KEY.
 */
import { createServer } from 'node:http'
import { randomBytes, webcrypto } from 'node:crypto'
import { importJWK } from 'jose'
import * as client from 'openid-client'

const { PORT, ISSUER, CLIENT_ID, CLIENT_PRIVATE_JWKS, BACKEND_API_KEY } = process.env
const origin = `http://127.0.0.1:${PORT}`
const jwk = JSON.parse(CLIENT_PRIVATE_JWKS).keys[0]
const signingKey = { key: await importJWK(jwk, jwk.alg), kid: jwk.kid }
const config = await client.discovery(
  new URL(ISSUER),
  CLIENT_ID,
  { redirect_uris: [`${origin}/callback`] },
  client.PrivateKeyJwt(signingKey),
  {
    execute: [client.allowInsecureRequests], // the mock is on loopback over http
  },
)
const sealKey = await webcrypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt'])
const sessions = new Map()
const byState = new Map()

async function launch(session) {
  const parameters = {
    redirect_uri: `${origin}/callback`,
    response_type: 'code',
    scope: session.scope,
    state: session.state,
    nonce: session.nonce,
    prompt: 'consent',
    claims: JSON.stringify({ id_token: { sub: { essential: true }, 'mh:con_id': { essential: true } } }),
    code_challenge: await client.calculatePKCECodeChallenge(session.codeVerifier),
    code_challenge_method: 'S256',
  }
  const jar = await client.buildAuthorizationUrlWithJAR(config, parameters, signingKey)
  return client.buildAuthorizationUrlWithPAR(config, jar.searchParams)
}

async function callback(url) {
  const session = sessions.get(byState.get(url.searchParams.get('state')))
  if (!session || session.status !== 'pending') return { status: 400, body: 'unknown state' }
  const tokens = await client.authorizationCodeGrant(config, url, {
    pkceCodeVerifier: session.codeVerifier,
    expectedState: session.state,
    expectedNonce: session.nonce,
    idTokenExpected: true,
  })
  const claims = tokens.claims()
  const iv = webcrypto.getRandomValues(new Uint8Array(12))
  session.sealed = await webcrypto.subtle.encrypt({ name: 'AES-GCM', iv }, sealKey, new TextEncoder().encode(JSON.stringify(tokens)))
  Object.assign(session, { status: 'connected', userId: claims.sub, connectionId: claims['mh:con_id'] })
  return { status: 303, headers: { location: `${origin}/done` } }
}

async function route(request, url) {
  if (request.method === 'POST' && url.pathname === '/sessions') {
    if (request.headers.authorization !== `Bearer ${BACKEND_API_KEY}`) return { status: 401 }
    const { bankId } = JSON.parse(await text(request))
    const id = randomBytes(16).toString('base64url')
    const session = {
      id,
      status: 'pending',
      scope: `openid id:${bankId}`,
      state: client.randomState(),
      nonce: client.randomNonce(),
      codeVerifier: client.randomPKCECodeVerifier(),
    }
    sessions.set(id, session)
    byState.set(session.state, id)
    return { status: 201, json: { id, authorizeUrl: `${origin}/sessions/${id}/authorize` } }
  }
  const launchPath = /^\/sessions\/([\w-]+)\/authorize$/.exec(url.pathname)
  if (launchPath) {
    const session = sessions.get(launchPath[1])
    if (!session) return { status: 404 }
    const location = await launch(session)
    return {
      status: 303,
      headers: { location: location.href, 'set-cookie': `b=${randomBytes(16).toString('base64url')}; HttpOnly; Path=/` },
    }
  }
  if (url.pathname === '/callback') return callback(url)
  const statusPath = /^\/sessions\/([\w-]+)$/.exec(url.pathname)
  if (statusPath) {
    const session = sessions.get(statusPath[1])
    return session ? { status: 200, json: { id: session.id, status: session.status } } : { status: 404 }
  }
  if (url.pathname === '/health') return { status: 200, json: { ok: true } }
  return { status: 404 }
}

const text = (request) =>
  new Promise((resolve, reject) => {
    let body = ''
    request.setEncoding('utf8')
    request.on('data', (chunk) => (body += chunk))
    request.on('end', () => resolve(body))
    request.on('error', reject)
  })

createServer(async (request, response) => {
  try {
    const answer = await route(request, new URL(request.url, origin))
    const headers = { ...answer.headers, ...(answer.json ? { 'content-type': 'application/json' } : {}) }
    response.writeHead(answer.status, headers).end(answer.json ? JSON.stringify(answer.json) : (answer.body ?? ''))
  } catch (error) {
    response.writeHead(502, { 'content-type': 'text/plain' }).end(String(error?.message ?? error))
  }
}).listen(Number(PORT), '127.0.0.1', () => console.log(`peer listening on ${origin}`))
