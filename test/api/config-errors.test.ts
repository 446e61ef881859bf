import { createExecutionContext, env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import worker from '../../src/index'

async function withEnv(overrides: Record<string, string | undefined>, path = '/sessions/AAAAAAAAAAAAAAAAAAAAAA') {
  const response = await worker.fetch(new Request(`http://proxy.test${path}`), { ...env, ...overrides }, createExecutionContext())
  return { status: response.status, body: await response.json<{ error: string; message: string }>() }
}

describe('a missing or malformed setting answers 500 naming the variable, never its value', () => {
  const cases: [string, Record<string, string | undefined>][] = [
    ['MONEYHUB_CLIENT_ID', { MONEYHUB_CLIENT_ID: '' }],
    ['MONEYHUB_REDIRECT_URI', { MONEYHUB_REDIRECT_URI: 'not a url' }],
    ['MONEYHUB_REDIRECT_URI', { MONEYHUB_REDIRECT_URI: 'http://proxy.example.com/callback' }],
    ['MONEYHUB_ISSUER', { MONEYHUB_ISSUER: 'http://identity.example.com/oidc' }],
    ['ALLOWED_ORIGINS', { ALLOWED_ORIGINS: 'https://app.example.com/path' }],
    ['CLIENT_PRIVATE_JWKS', { CLIENT_PRIVATE_JWKS: undefined }],
    ['CLIENT_PRIVATE_JWKS', { CLIENT_PRIVATE_JWKS: '{"keys":[{"kty":"RSA","kid":"k","alg":"HS256","d":"secretvalue123"}]}' }],
    ['CLIENT_PRIVATE_JWKS', { CLIENT_PRIVATE_JWKS: 'secretvalue123 not json' }],
    ['TOKEN_ENCRYPTION_KEY', { TOKEN_ENCRYPTION_KEY: 'c2VjcmV0dmFsdWUxMjM' }],
    ['BACKEND_API_KEY', { BACKEND_API_KEY: 'short' }],
    ['SESSION_TTL_SECONDS', { SESSION_TTL_SECONDS: '5' }],
    ['DEFAULT_BANK_SELECTOR', { DEFAULT_BANK_SELECTOR: 'all banks' }],
    // A page on a developer's machine may not start real users' sessions (issue 10.8).
    ['ALLOWED_ORIGINS', { ENVIRONMENT: 'production', ALLOWED_ORIGINS: 'https://app.example.com,http://localhost:3000' }],
    ['ALLOWED_ORIGINS', { ENVIRONMENT: 'production', ALLOWED_ORIGINS: 'http://127.0.0.1:8787' }],
    ['ENVIRONMENT', { ENVIRONMENT: 'staging' }],
    ['ISSUER_ENDPOINT_ORIGINS', { ISSUER_ENDPOINT_ORIGINS: 'https://keys.example.com/path' }],
  ]
  it.each(cases)('%s', async (variable, overrides) => {
    const { status, body } = await withEnv(overrides)
    expect(status).toBe(500)
    expect(body.error).toBe('config_invalid')
    // The words are the behaviour here: the operator must learn which variable to fix, and never see its value.
    expect(body.message).toContain(variable)
    for (const value of Object.values(overrides)) if (value) expect(body.message).not.toContain(value)
    expect(body.message).not.toContain('secretvalue123')
  })

  it('in production, https origins are accepted (only http ones are refused)', async () => {
    const { status } = await withEnv({ ENVIRONMENT: 'production', ALLOWED_ORIGINS: 'https://app.example.com' })
    expect(status).toBe(404)
  })

  it('/health answers even when the config is broken', async () => {
    const response = await worker.fetch(
      new Request('http://proxy.test/health'),
      { ...env, MONEYHUB_CLIENT_ID: '' },
      createExecutionContext(),
    )
    expect(response.status).toBe(200)
  })
})

describe('every problem at once', () => {
  it('the answer lists each bad variable with what is wrong, and the log line too', async () => {
    const lines: string[] = []
    const original = console.error
    console.error = (line: unknown) => void lines.push(String(line))
    try {
      const { status, body } = await withEnv({
        MONEYHUB_CLIENT_ID: '',
        ALLOWED_ORIGINS: 'https://app.example.com/path',
        CLIENT_PRIVATE_JWKS: '{"keys":[]}',
        TOKEN_ENCRYPTION_KEY: 'secretvalue123',
        BACKEND_API_KEY: 'short',
        SESSION_TTL_SECONDS: '5',
      })
      expect(status).toBe(500)
      expect(body.error).toBe('config_invalid')
      const problems = (body as unknown as { problems: string[] }).problems
      expect(problems).toEqual([
        'MONEYHUB_CLIENT_ID is missing',
        'ALLOWED_ORIGINS entry 1 of 1 is not a bare origin: list bare origins (scheme://host[:port]), comma-separated',
        'SESSION_TTL_SECONDS must be an integer from 60 to 3600',
        'CLIENT_PRIVATE_JWKS must be a JWK Set of private keys, each with "kid" and "alg" (RS256, PS256 or ES256)',
        'TOKEN_ENCRYPTION_KEY must be 32 bytes, base64url-encoded',
        'BACKEND_API_KEY must be at least 16 characters',
      ])
      for (const problem of problems) expect(body.message).toContain(problem)
      expect(body.message).not.toContain('secretvalue123')
      const logged = lines.map((l) => JSON.parse(l) as { error?: string; problems?: string[] }).find((l) => l.error === 'config_invalid')
      expect(logged?.problems).toEqual(problems)
    } finally {
      console.error = original
    }
  })
})
