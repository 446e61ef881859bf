/** GET /.well-known/jwks.json: the public halves of CLIENT_PRIVATE_JWKS, to register with Moneyhub. */
import { Hono } from 'hono'
import type { AppEnv } from '../http/context'

export const jwks = new Hono<AppEnv>().get('/', (c) => {
  c.header('cache-control', 'public, max-age=300')
  return c.json(c.get('config').publicJwks)
})
