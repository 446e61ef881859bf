/** Drives the proxy (SELF) and the mock identity server (real HTTP) the way a browser and an app backend would. */
import { env, SELF } from 'cloudflare:test'
import { decodeJwt } from 'jose'
import { inject } from 'vitest'

export const mockOrigin = () => inject('mockOrigin')
export const ISSUER = () => `${mockOrigin()}/oidc`
export const APP_ORIGIN = 'https://app.example.com'
export const MOCK_BANK_ID = '1ffe704d39629a929c8e293880fb449a'

export const backendAuth = () => ({ authorization: `Bearer ${env.BACKEND_API_KEY}` })

export interface Started {
  id: string
  authorizeUrl: string
  statusUrl: string
  expiresAt: number
}

export async function startSession(body: Record<string, unknown> = {}, headers: Record<string, string> = backendAuth()) {
  return SELF.fetch('http://proxy.test/sessions', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })
}

export async function started(body: Record<string, unknown> = {}, headers?: Record<string, string>): Promise<Started> {
  const response = await startSession(body, headers)
  if (response.status !== 201) throw new Error(`POST /sessions answered ${response.status}: ${await response.text()}`)
  return response.json()
}

/** The user at the identity server: approve or deny; returns the redirect back to the proxy. */
export async function authorize(authorizeUrl: string, decision: 'approve' | 'deny' = 'approve', extra: Record<string, string> = {}) {
  const url = new URL(authorizeUrl)
  url.searchParams.set('decision', decision)
  for (const [k, v] of Object.entries(extra)) url.searchParams.set(k, v)
  const response = await fetch(url, { redirect: 'manual' })
  if (response.status !== 303) throw new Error(`the mock answered ${response.status}: ${await response.text()}`)
  return new URL(response.headers.get('location')!)
}

/** The browser arriving at the proxy's /callback. */
export const callback = (url: URL | string) => SELF.fetch(url.toString(), { redirect: 'manual' })

/** A whole connection: start, approve at the mock, come back. */
export async function connectAccount(body: Record<string, unknown> = {}, decision: 'approve' | 'deny' = 'approve') {
  const session = await started(body)
  const back = await authorize(session.authorizeUrl, decision)
  const response = await callback(back)
  return { session, back, response }
}

export const status = (id: string) => SELF.fetch(`http://proxy.test/sessions/${id}`)
export const statusOf = async (id: string) => (await status(id)).json<Record<string, unknown>>()
export const tokens = (id: string, headers: Record<string, string> = backendAuth()) => SELF.fetch(`http://proxy.test/sessions/${id}/tokens`, { headers })

export interface RecordedRequest {
  endpoint: 'par' | 'token'
  params: Record<string, string>
  status: number
  answer?: Record<string, unknown>
}

/** What the mock received: forms of the pushed authorization and token requests. */
export async function mockRequests(): Promise<RecordedRequest[]> {
  return (await fetch(`${mockOrigin()}/__mock/requests`)).json()
}

export async function tokenRequestFor(code: string) {
  const found = (await mockRequests()).filter((r) => r.endpoint === 'token' && r.params.code === code)
  if (found.length !== 1) throw new Error(`expected one token request for the code, found ${found.length}`)
  return found[0]!
}

export async function pushedRequestFor(authorizeUrl: string) {
  const requestUri = new URL(authorizeUrl).searchParams.get('request_uri')
  const found = (await mockRequests()).filter((r) => r.endpoint === 'par' && r.answer?.request_uri === requestUri)
  if (found.length !== 1) throw new Error(`expected one pushed request, found ${found.length}`)
  return found[0]!
}

export const claimsOf = (jwt: string) => decodeJwt(jwt)
