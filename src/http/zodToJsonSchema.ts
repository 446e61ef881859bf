/**
 * hono-openapi converts schemas through @standard-community/standard-json,
 * which loads `zod/v4/core` whole (every locale: ~300 KB). wrangler.toml's
 * [alias] points that import here: the one function it uses, nothing else.
 */
export { toJSONSchema } from 'zod/mini'
