/**
 * True only while `npm run build:openapi` builds the OpenAPI document (scripts/lib/workerCode.mjs). The Worker is
 * built with it false (wrangler.toml's [define], vitest.config.ts), so the minifier drops what is written under
 * `OPENAPI_BUILD ? … : {}`: each route's describeRoute text and the answers' schemas (docs/performance.md, "Bundle").
 */
declare const OPENAPI_BUILD: boolean
