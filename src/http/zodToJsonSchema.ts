/**
 * hono-openapi converts schemas through @standard-community/standard-json,
 * which loads `zod/v4/core` whole (every locale: ~300 KB). The document's
 * build (scripts/lib/workerCode.mjs, npm run build:openapi) points that import
 * here: the one function it uses, from the same zod/mini as the schemas (one
 * registry of named schemas). The Worker itself never converts.
 */
export { toJSONSchema } from 'zod/mini'
