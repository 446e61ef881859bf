// Conformance with Moneyhub's own client (@mft/moneyhub-api-client, the version the registry serves): for each journey,
// the Worker and the official client get the same inputs against the mock identity server, and what each pushed, as the
// mock recorded it, is compared field by field. A difference fails unless docs/conformance.md's table lists it, with the
// same values; a row of the table that no difference matches fails too, so the table and the behaviour cannot drift.
// The client assertions (RFC 7523) each side sends at each endpoint it calls are compared the same way.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { decodeJwt, decodeProtectedHeader } from 'jose'
import { unstable_startWorker } from 'wrangler'
import { makeSigningKey, publicJwks, randomKey } from '../../scripts/keys.mjs'
import { OFFLINE_ENV } from '../../scripts/lib/servers.mjs'

Object.assign(process.env, OFFLINE_ENV)

const CLIENT_ID = 'conformance-client'
const REDIRECT_URI = 'http://127.0.0.1:8787/callback'
const BANK_ID = '1ffe704d39629a929c8e293880fb449a'
const BACKEND_KEY = `backend-${randomKey(24)}`
const DEV = { server: { hostname: '127.0.0.1', port: 0 }, inspector: false, watch: false, logLevel: 'warn' }

let mock, proxy, mockOrigin, proxyOrigin, moneyhub
// Each Worker's local storage, in a folder of its own removed at the end (never the repository's .wrangler/state).
const scratch = mkdtempSync(join(tmpdir(), 'conformance-'))

before(
  async () => {
    const key = await makeSigningKey('RS256', 'conformance-key')
    mock = await unstable_startWorker({
      config: 'mock/wrangler.toml',
      bindings: {
        CLIENT_ID: { type: 'plain_text', value: CLIENT_ID },
        CLIENT_REDIRECT_URIS: { type: 'plain_text', value: REDIRECT_URI },
        CLIENT_JWKS: { type: 'plain_text', value: JSON.stringify(publicJwks({ keys: [key] })) },
        CLIENT_REQUEST_OBJECT_SIGNING_ALG: { type: 'plain_text', value: 'RS256' },
      },
      dev: { ...DEV, persist: join(scratch, 'mock') },
    })
    mockOrigin = (await mock.url).origin
    const vars = {
      MONEYHUB_ISSUER: `${mockOrigin}/oidc`,
      MONEYHUB_CLIENT_ID: CLIENT_ID,
      MONEYHUB_REDIRECT_URI: REDIRECT_URI,
      ALLOWED_ORIGINS: 'https://app.example.com',
      CLIENT_PRIVATE_JWKS: JSON.stringify({ keys: [key] }),
      TOKEN_ENCRYPTION_KEY: randomKey(),
      BACKEND_API_KEY: BACKEND_KEY,
      CLIENT_ASSERTION_AUDIENCE: '',
      REQUEST_OBJECT_SIGNING_ALG: '',
      DEFAULT_BANK_SELECTOR: 'id:all',
      // Spelled out so that a developer's .dev.vars never changes what is compared.
      RESPONSE_TYPE: 'code',
      ENVIRONMENT: 'development',
      WEBHOOK_URL: '',
      WEBHOOK_SECRET: '',
      MONEYHUB_IDENTITY_URL: '',
    }
    proxy = await unstable_startWorker({
      config: 'wrangler.toml',
      bindings: Object.fromEntries(Object.entries(vars).map(([name, value]) => [name, { type: 'plain_text', value }])),
      dev: { ...DEV, persist: join(scratch, 'proxy') },
    })
    proxyOrigin = (await proxy.url).origin
    const { Moneyhub } = await import('@mft/moneyhub-api-client')
    moneyhub = await Moneyhub({
      identityServiceUrl: mockOrigin,
      client: {
        client_id: CLIENT_ID,
        token_endpoint_auth_method: 'private_key_jwt',
        id_token_signed_response_alg: 'RS256',
        request_object_signing_alg: 'RS256',
        redirect_uri: REDIRECT_URI,
        response_type: 'code',
        keys: [{ ...key, use: 'sig' }],
      },
    })
  },
  { timeout: 120_000 },
)

after(async () => {
  await proxy?.dispose()
  await mock?.dispose()
  rmSync(scratch, { recursive: true, force: true })
})

// ---------- driving each side ----------

const recorded = async () => (await fetch(`${mockOrigin}/__mock/requests`)).json()

/** What the official client's call pushed: the mock's records that arrived while it ran. */
async function pushedByClient(call) {
  const before = (await recorded()).length
  // The mock may refuse the request (the table says why); what was sent is what counts here.
  const url = await call().catch(() => undefined)
  // A request object by value reaches the identity server only when the browser opens the URL.
  if (url && new URL(url).searchParams.has('request')) await (await fetch(url, { redirect: 'manual' })).arrayBuffer()
  const pushed = (await recorded()).slice(before).filter((r) => ['par', 'request', 'auth'].includes(r.endpoint))
  assert.equal(pushed.length, 1, `the official client pushed ${pushed.length} requests`)
  return pushed[0]
}

const backend = (method, path, body) =>
  fetch(`${proxyOrigin}${path}`, {
    method,
    redirect: 'manual',
    headers: { authorization: `Bearer ${BACKEND_KEY}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })

/** Starts a Worker session at `path`, opens its authorizeUrl as a browser would, and returns what the Worker pushed. */
async function pushedByWorker(path, body) {
  const response = await backend('POST', path, body)
  assert.equal(response.status, 201, await response.clone().text())
  const { id, authorizeUrl } = await response.json()
  // The Worker's public URL is MONEYHUB_REDIRECT_URI's origin; here it listens on another port.
  const launchUrl = new URL(authorizeUrl)
  const launch = await fetch(`${proxyOrigin}${launchUrl.pathname}${launchUrl.search}`, { redirect: 'manual' })
  await launch.arrayBuffer()
  const pushed = (await recorded()).filter((r) => r.endpoint === 'par' && readParameters(r).state?.startsWith(`${id}.`))
  assert.equal(pushed.length, 1, `the Worker pushed ${pushed.length} requests for ${path}`)
  return { id, launch, pushed: pushed[0] }
}

/** A session through the Worker, approved at the mock and back at the Worker's /callback with the browser's cookie. */
async function approvedThroughWorker(path, body) {
  const { id, launch, pushed } = await pushedByWorker(path, body)
  const cookie = launch.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ')
  const atMock = new URL(launch.headers.get('location'))
  atMock.searchParams.set('decision', 'approve')
  const back = new URL((await fetch(atMock, { redirect: 'manual' })).headers.get('location'))
  await (await fetch(`${proxyOrigin}/callback${back.search}`, { redirect: 'manual', headers: { cookie } })).arrayBuffer()
  return { id, pushed, code: back.searchParams.get('code') }
}

/** A payment through the Worker, approved. */
async function paidThroughWorker(body) {
  const { id } = await approvedThroughWorker('/payments', body)
  // Moneyhub's record of the payment (the mock completes it by its second read).
  await (await backend('GET', `/payments/${id}`)).json()
  return { ...(await (await backend('GET', `/payments/${id}`)).json()), id }
}

// ---------- what was pushed, field by field ----------

const JWT_CLAIMS = new Set(['iss', 'aud', 'exp', 'nbf', 'iat', 'jti'])
/** Fresh for every request on both sides: compared by presence. */
const RANDOM = new Set(['state', 'nonce', 'code_challenge'])

/** The authorization parameters of a recorded push: a signed request object's members, else the plain fields. */
function readParameters(record) {
  const { request, client_assertion: _a, client_assertion_type: _t, decision: _d, ...plain } = record.params
  if (!request) return { ...plain, claims: plain.claims ? JSON.parse(plain.claims) : undefined }
  return Object.fromEntries(Object.entries(decodeJwt(request)).filter(([name]) => !JWT_CLAIMS.has(name)))
}

/** One journey's push as flat fields: `transport`, the request object's header and JWT claims, each parameter, each claim leaf. */
function fieldsOf(record) {
  const fields = { transport: record.endpoint }
  const request = record.params.request
  if (request) {
    const header = decodeProtectedHeader(request)
    const payload = decodeJwt(request)
    Object.assign(fields, {
      'request.alg': header.alg,
      'request.typ': header.typ,
      'request.kid': header.kid ? 'present' : undefined,
      'request.iss': payload.iss === CLIENT_ID ? 'client_id' : payload.iss,
      'request.aud': payload.aud === `${mockOrigin}/oidc` ? 'issuer' : payload.aud,
      // In minutes: the official client's payments compute exp and iat apart (rounded vs floored seconds).
      'request.lifetimeMinutes': Math.round((payload.exp - payload.iat) / 60),
      'request.nbf': payload.nbf === undefined ? undefined : payload.nbf === payload.iat ? 'iat' : 'other',
      'request.jti': payload.jti ? 'present' : undefined,
    })
  }
  const walk = (prefix, value) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [name, member] of Object.entries(value)) walk(`${prefix}.${name}`, member)
    } else if (value !== undefined) fields[prefix] = value
  }
  for (const [name, value] of Object.entries(readParameters(record))) {
    if (RANDOM.has(name)) fields[name] = 'present'
    else if (name === 'scope') fields.scope = value.split(' ').sort().join(' ')
    else walk(name, value)
  }
  return fields
}

// ---------- the table ----------

const TABLE = readFileSync('docs/conformance.md', 'utf8')
  .split('\n')
  .filter((line) => line.startsWith('|') && !/^\|\s*journey\s*\|/.test(line) && !/^\|[\s:-]+\|/.test(line))
  .map((line) => {
    const [journey, field, worker, client, reason] = line
      .slice(1, -1)
      .split('|')
      .map((cell) => cell.trim())
    const value = (cell) => (cell === '—' ? undefined : JSON.parse(cell.replace(/^`|`$/g, '')))
    return { journey, field: field.replace(/^`|`$/g, ''), worker: value(worker), client: value(client), reason }
  })

const used = new Set()

const compare = (journey, workerRecord, clientRecord) => compareFields(journey, fieldsOf(workerRecord), fieldsOf(clientRecord))

function compareFields(journey, worker, client) {
  const unexplained = []
  for (const field of [...new Set([...Object.keys(worker), ...Object.keys(client)])].sort()) {
    if (JSON.stringify(worker[field]) === JSON.stringify(client[field])) continue
    const row = TABLE.find((r) => (r.journey === '*' || r.journey.split(', ').includes(journey)) && r.field === field)
    if (
      row &&
      JSON.stringify(row.worker) === JSON.stringify(worker[field]) &&
      JSON.stringify(row.client) === JSON.stringify(client[field])
    ) {
      used.add(row)
      continue
    }
    unexplained.push(`| ${journey} | \`${field}\` | ${cell(worker[field])} | ${cell(client[field])} | ? |`)
  }
  assert.deepEqual(unexplained, [], `differences not in docs/conformance.md:\n${unexplained.join('\n')}`)
}
const cell = (value) => (value === undefined ? '—' : `\`${JSON.stringify(value)}\``)

// ---------- client assertions, endpoint by endpoint ----------

/** The identity server's URLs by the names discovery gives them, to read an assertion's `aud`. */
const endpointNames = () => ({
  [`${mockOrigin}/oidc`]: 'issuer',
  [`${mockOrigin}/oidc/token`]: 'token_endpoint',
  [`${mockOrigin}/oidc/request`]: 'pushed_authorization_request_endpoint',
  [`${mockOrigin}/oidc/token/revocation`]: 'revocation_endpoint',
})
/** Form members fresh for every request: compared by presence. */
const FRESH_MEMBERS = new Set(['code', 'code_verifier', 'refresh_token'])

/**
 * A recorded request's client authentication as flat fields: the assertion's header and claims (`assertion.*`; `aud` as
 * the sorted names of the URLs it lists) and the form members (`form.*`): every one at the token endpoint, only the
 * client authentication's at the PAR endpoint (the journeys compare the authorisation parameters).
 */
function assertionFieldsOf(record, { wholeForm }) {
  const { client_assertion: assertion, ...form } = record.params
  assert.ok(assertion, `the ${record.endpoint} request has no client_assertion`)
  const header = decodeProtectedHeader(assertion)
  const payload = decodeJwt(assertion)
  const names = endpointNames()
  const fields = {
    'assertion.alg': header.alg,
    'assertion.typ': header.typ,
    'assertion.kid': header.kid ? 'present' : undefined,
    'assertion.iss': payload.iss === CLIENT_ID ? 'client_id' : payload.iss,
    'assertion.sub': payload.sub === CLIENT_ID ? 'client_id' : payload.sub,
    'assertion.aud': [payload.aud]
      .flat()
      .map((aud) => names[aud] ?? aud)
      .sort(),
    'assertion.lifetimeSeconds': payload.exp - payload.iat,
    'assertion.nbf': payload.nbf === undefined ? undefined : 'present',
    'assertion.jti': payload.jti ? 'present' : undefined,
  }
  for (const [name, value] of Object.entries(form)) {
    if (!wholeForm && name !== 'client_id' && name !== 'client_assertion_type') continue
    fields[`form.${name}`] = value === CLIENT_ID ? 'client_id' : FRESH_MEMBERS.has(name) ? 'present' : value
  }
  return fields
}

/** The one token request the mock recorded that `pick` selects, after `work` ran (a refused answer still counts). */
async function tokenRequestDuring(work, pick) {
  const before = (await recorded()).length
  await work().catch(() => undefined)
  const found = (await recorded()).slice(before).filter((r) => r.endpoint === 'token' && pick(r.params))
  assert.equal(found.length, 1, `${found.length} token requests matched`)
  return found[0]
}

/** A connection through the official client: pushed with PKCE, approved at the mock, its code exchanged. */
async function connectedThroughClient() {
  const { state, nonce } = fresh()
  const verifier = randomKey(32)
  const codeChallenge = createHash('sha256').update(verifier).digest('base64url')
  const url = new URL(await moneyhub.getPushedAuthorisationRequestUrl({ bankId: BANK_ID, state, nonce, codeChallenge }))
  const pushed = (await recorded()).find((r) => r.endpoint === 'par' && readParameters(r).state === state)
  // 5.2.1's URL carries request_uri alone (getAuthorizeUrlFromRequestUri); RFC 9126 §4 asks for client_id beside it.
  url.searchParams.set('client_id', CLIENT_ID)
  url.searchParams.set('decision', 'approve')
  const code = new URL((await fetch(url, { redirect: 'manual' })).headers.get('location')).searchParams.get('code')
  assert.ok(code, 'the mock gave the official client a code')
  const exchange = await tokenRequestDuring(
    () => moneyhub.exchangeCodeForTokens({ paramsFromCallback: { code, state }, localParams: { state, nonce, code_verifier: verifier } }),
    (params) => params.code === code,
  )
  return { pushed, exchange }
}

// ---------- the journeys ----------

const payee = { name: 'Corner Shop', sortCode: '123456', accountNumber: '12345678' }
const userId = '60537b074c4b6fdf12024658'
const connectionId = `${BANK_ID}:06737ffe-cdff-4047-a1d3-b54ebc8c368b`
const fresh = () => ({ state: randomKey(16), nonce: randomKey(16), codeChallenge: randomKey(32) })

test('a connection for a new user', async () => {
  const { pushed } = await pushedByWorker('/sessions', { bankId: BANK_ID })
  compare(
    'connection (new user)',
    pushed,
    await pushedByClient(() => moneyhub.getPushedAuthorisationRequestUrl({ bankId: BANK_ID, ...fresh() })),
  )
})

test('a connection for an existing user', async () => {
  const { pushed } = await pushedByWorker('/sessions', { bankId: BANK_ID, userId })
  compare(
    'connection (existing user)',
    pushed,
    await pushedByClient(() => moneyhub.getPushedAuthorisationRequestUrl({ bankId: BANK_ID, userId, ...fresh() })),
  )
})

for (const [action, call] of [
  ['reauth', 'getReauthAuthorizeUrlForCreatedUser'],
  ['reconsent', 'getReconsentAuthorizeUrlForCreatedUser'],
  ['refresh', 'getRefreshAuthorizeUrlForCreatedUser'],
]) {
  test(`${action} of an existing connection`, async () => {
    const { pushed } = await pushedByWorker('/sessions', { userId, connectionId, action })
    const { state, nonce } = fresh()
    compare(action, pushed, await pushedByClient(() => moneyhub[call]({ userId, connectionId, state, nonce })))
  })
}

test('a payment', async () => {
  const input = { amount: 150, payee, payeeRef: 'Order 1', payerRef: 'Corner shop' }
  const { pushed } = await pushedByWorker('/payments', { bankId: BANK_ID, ...input })
  const { state, nonce } = fresh()
  compare('payment', pushed, await pushedByClient(() => moneyhub.getPaymentAuthorizeUrl({ bankId: BANK_ID, ...input, state, nonce })))
})

test('a standing order', async () => {
  const input = {
    payee,
    reference: 'Rent flat 2',
    frequency: { repeat: 'Monthly', day: 1 },
    numberOfPayments: 12,
    firstPaymentAmount: 85000,
    firstPaymentDate: '2027-01-01',
  }
  const { pushed } = await pushedByWorker('/standing-orders', { bankId: BANK_ID, ...input })
  const { state, nonce } = fresh()
  compare(
    'standing order',
    pushed,
    await pushedByClient(() => moneyhub.getStandingOrderAuthorizeUrl({ bankId: BANK_ID, ...input, state, nonce })),
  )
})

test('a VRP consent', async () => {
  const input = {
    payee,
    reference: 'Sweep',
    maximumIndividualAmount: 50000,
    periodicLimits: [{ amount: 200000, periodType: 'Month', periodAlignment: 'Calendar' }],
    type: ['Sweeping'],
  }
  const { pushed } = await pushedByWorker('/recurring-payments', { bankId: BANK_ID, ...input })
  const { state, nonce } = fresh()
  compare(
    'VRP consent',
    pushed,
    await pushedByClient(() => moneyhub.getRecurringPaymentAuthorizeUrl({ bankId: BANK_ID, ...input, state, nonce })),
  )
})

test('a refund', async () => {
  // Reversible as Moneyhub's record says: a completed payment made with readRefundAccount.
  const paid = await paidThroughWorker({
    bankId: BANK_ID,
    amount: 1000,
    payee,
    payeeRef: 'Order 2',
    payerRef: 'Corner shop',
    readRefundAccount: true,
  })
  assert.ok(paid.paymentId, 'the payment has Moneyhub’s id')
  // Both refund by Moneyhub's payment id, as the official client does.
  const { pushed } = await pushedByWorker(`/payments/${paid.paymentId}/reverse`, { bankId: BANK_ID, amount: 400 })
  const { state, nonce } = fresh()
  compare(
    'refund',
    pushed,
    await pushedByClient(() =>
      moneyhub.getReversePaymentAuthorizeUrl({ bankId: BANK_ID, paymentId: paid.paymentId, amount: 400, state, nonce }),
    ),
  )
})

test('reconsent with a new expiry', async () => {
  const expiresAt = new Date(Date.now() + 60 * 86_400_000).toISOString()
  const { pushed } = await pushedByWorker('/sessions', {
    userId,
    connectionId,
    action: 'reconsent',
    consent: { expirationDateTime: expiresAt },
  })
  const { state, nonce } = fresh()
  compare(
    'reconsent',
    pushed,
    await pushedByClient(() => moneyhub.getReconsentAuthorizeUrlForCreatedUser({ userId, connectionId, expiresAt, state, nonce })),
  )
})

test('client assertions at the PAR endpoint, the code exchange and the refresh', async () => {
  const worker = await approvedThroughWorker('/sessions', { bankId: BANK_ID, offlineAccess: true })
  const client = await connectedThroughClient()
  compareFields('PAR', assertionFieldsOf(worker.pushed, { wholeForm: false }), assertionFieldsOf(client.pushed, { wholeForm: false }))
  const workerExchange = (await recorded()).find((r) => r.endpoint === 'token' && r.params.code === worker.code)
  compareFields(
    'code exchange',
    assertionFieldsOf(workerExchange, { wholeForm: true }),
    assertionFieldsOf(client.exchange, { wholeForm: true }),
  )

  // The refresh: the Worker's, then the official client's with the refresh token the Worker's left (same client).
  const workerRefresh = await tokenRequestDuring(
    async () => assert.equal((await backend('POST', `/sessions/${worker.id}/refresh`)).status, 200),
    (params) => params.grant_type === 'refresh_token',
  )
  const { refresh_token: refreshToken } = await (await backend('GET', `/sessions/${worker.id}/tokens`)).json()
  assert.ok(refreshToken, 'the Worker kept a refresh token')
  const clientRefresh = await tokenRequestDuring(
    () => moneyhub.refreshTokens({ refreshToken }),
    (params) => params.refresh_token === refreshToken,
  )
  compareFields('refresh', assertionFieldsOf(workerRefresh, { wholeForm: true }), assertionFieldsOf(clientRefresh, { wholeForm: true }))
})

test('client assertions at the client credentials grant', async () => {
  const pick = (params) => params.grant_type === 'client_credentials' && params.scope === 'payee:read'
  const worker = await tokenRequestDuring(async () => {
    const response = await backend('POST', '/tokens', { scopes: ['payee:read'] })
    assert.equal(response.status, 200, await response.clone().text())
  }, pick)
  const client = await tokenRequestDuring(() => moneyhub.getClientCredentialTokens({ scope: 'payee:read' }), pick)
  compareFields('client credentials', assertionFieldsOf(worker, { wholeForm: true }), assertionFieldsOf(client, { wholeForm: true }))
})

test('every row of docs/conformance.md’s table is a difference that exists', () => {
  assert.deepEqual(
    TABLE.filter((row) => !row.reason).map((row) => `${row.journey} ${row.field}`),
    [],
    'rows without a reason',
  )
  const stale = TABLE.filter((row) => !used.has(row)).map((row) => `${row.journey} ${row.field}`)
  assert.deepEqual(stale, [], 'rows that no journey needs: remove them')
})
