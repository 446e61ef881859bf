// The Worker's bundle as `npm run deploy` uploads it (wrangler deploy --dry-run --env production, minified): under its
// gzipped ceiling, and without what only the OpenAPI document's build or the browser needs (docs/performance.md, "Bundle").
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { GZIP_CEILING_BYTES, GZIP_GOAL_BYTES, measureBundle } from '../../scripts/measure-bundle.mjs'

test('the deployed bundle stays under its gzipped ceiling, and holds no route description or dashboard page', { timeout: 120_000 }, () => {
  const { code, minifiedBytes, gzipBytes } = measureBundle()
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`
  assert.ok(
    gzipBytes <= GZIP_CEILING_BYTES,
    `${kb(gzipBytes)} gzipped (${kb(minifiedBytes)} minified) is over the ceiling of ${kb(GZIP_CEILING_BYTES)} ` +
      `(goal ${kb(GZIP_GOAL_BYTES)}): node scripts/measure-bundle.mjs shows what each source adds`,
  )
  // A route's describeRoute summary and an answer's schema description (OPENAPI_BUILD is false in the Worker).
  for (const text of ['A live page of every bank', 'error: a stable code; message: for humans']) assert.ok(!code.includes(text), text)
  // The dashboard page is a static asset (public/dashboard.html).
  assert.ok(!code.includes('<title>Bank health</title>'))
})
