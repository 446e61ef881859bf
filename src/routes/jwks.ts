/** GET /.well-known/jwks.json: the public halves of CLIENT_PRIVATE_JWKS, to register with Moneyhub. */
import { Hono } from 'hono/tiny'
import { describeRoute } from 'hono-openapi'
import { jsonAnswer, JwksSchema } from '../http/openapi'
import type { AppEnv } from '../http/context'

export const jwks = new Hono<AppEnv>().get(
  '/.well-known/jwks.json',
  describeRoute(
    OPENAPI_BUILD
      ? {
          summary: 'The public keys of CLIENT_PRIVATE_JWKS, to register with Moneyhub',
          tags: ['public'],
          responses: { 200: jsonAnswer(JwksSchema, 'a JWK Set') },
        }
      : {},
  ),
  (c) => {
    c.header('cache-control', 'public, max-age=300')
    return c.json(c.get('config').publicJwks)
  },
)
