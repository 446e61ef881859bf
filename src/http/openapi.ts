/**
 * The answers' schemas and the helpers that describe each route for the
 * OpenAPI document (hono-openapi). Request schemas live beside their routes.
 */
import { resolver } from 'hono-openapi'
import { z, type ZodType } from 'zod'

export const ErrorSchema = z.object({ error: z.string().describe('stable code'), message: z.string() }).meta({ id: 'Error' })

export const SessionSchema = z
  .object({
    id: z.string(),
    status: z.enum(['pending', 'connected', 'failed', 'expired']),
    bankId: z.string().optional(),
    userId: z.string().optional().describe("the id_token's sub"),
    connectionId: z.string().optional().describe("the id_token's mh:con_id"),
    scope: z.string().optional(),
    expiresAt: z.number().int().describe('pending: when the attempt lapses; connected: when the access token expires'),
    refreshableUntil: z.number().int().optional(),
    error: z.string().optional(),
    errorDescription: z.string().optional(),
  })
  .strict()
  .meta({ id: 'Session' })

export const StartedSchema = z
  .object({ id: z.string(), authorizeUrl: z.url(), statusUrl: z.url(), expiresAt: z.number().int() })
  .strict()
  .meta({ id: 'StartedSession' })

export const TokenSetSchema = z
  .object({
    access_token: z.string(),
    id_token: z.string(),
    refresh_token: z.string().optional(),
    token_type: z.literal('Bearer'),
    scope: z.string(),
    expires_at: z.number().int(),
  })
  .strict()
  .meta({ id: 'TokenSet' })

export const DeletedSchema = z
  .object({ id: z.string(), deleted: z.literal(true), revoked: z.literal(false), error: z.string().optional() })
  .strict()
  .meta({ id: 'DeletedWithoutRevocation' })

export const JwksSchema = z.object({ keys: z.array(z.object({ kty: z.string(), kid: z.string(), alg: z.string() }).loose()) }).meta({ id: 'JWKS' })

export const HealthSchema = z.object({ status: z.literal('ok') }).strict()

/** A JSON answer for describeRoute's `responses`. */
export const jsonAnswer = (schema: ZodType, description: string) => ({
  description,
  content: { 'application/json': { schema: resolver(schema) } },
})

/** The error answers a route may give, each with the shared Error schema. */
export function errorAnswers(...statuses: number[]) {
  const descriptions: Record<number, string> = {
    400: 'invalid request',
    401: 'missing or wrong bearer key',
    403: 'not allowed for this caller',
    404: 'no such session',
    405: 'not available in this configuration',
    409: 'the session is not in a state that allows this',
    410: 'the session has expired',
    415: 'the body is not JSON',
    429: 'rate limited',
    502: 'the identity server failed',
  }
  return Object.fromEntries(statuses.map((s) => [s, jsonAnswer(ErrorSchema, descriptions[s] ?? 'error')]))
}

export const redirectAnswer = (description: string) => ({ description, headers: { location: { schema: { type: 'string' as const } } } })
