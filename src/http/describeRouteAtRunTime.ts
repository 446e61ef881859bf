/**
 * What the Worker gets for `hono-openapi` (wrangler.toml's [alias]): the same
 * names, without the OpenAPI generator and the JSON Schema converter behind it.
 * The document is built in Node by `npm run build:openapi` (the real
 * hono-openapi, reading each route's describeRoute and validators) into
 * public/openapi.json (a static asset); at run time describeRoute is documentation only.
 */
import { sValidator } from '@hono/standard-validator'
import { createMiddleware } from 'hono/factory'

const passOn = createMiddleware(async (_c, next) => {
  await next()
})

/** A route's documentation: read at build time, nothing to do at run time. */
export const describeRoute = (_spec: unknown) => passOn

/** A response schema for the document: kept as is, never converted at run time. */
export const resolver = <T>(schema: T) => schema

/** hono-openapi's validator is @hono/standard-validator's, plus metadata only the build reads. */
export const validator = sValidator
