// GET /openapi.json serves a document generated at build time from the routes, as a static asset: the file must match them.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { buildOpenapiDocument, OPENAPI_ASSET, openapiAssetSource } from '../../scripts/lib/workerCode.mjs'

test(`${OPENAPI_ASSET} is in sync with the routes (else: npm run build:openapi)`, async () => {
  assert.equal(
    readFileSync(OPENAPI_ASSET, 'utf8'),
    await openapiAssetSource(),
    `${OPENAPI_ASSET} is out of date: run npm run build:openapi`,
  )
})

test("the document is built from the routes' describeRoute, validators and named schemas", async () => {
  const doc = await buildOpenapiDocument()
  assert.equal(doc.openapi, '3.1.0')
  assert.equal(doc.info.title, 'Moneyhub edge connect proxy')
  // A validator's schema (POST /sessions' body), a describeRoute answer and a named schema from the converter.
  assert.ok(doc.paths['/sessions'].post.requestBody.content['application/json'].schema)
  assert.ok(doc.paths['/sessions/{id}'].get.responses['200'])
  assert.equal(doc.components.schemas.Error.type, 'object')
  assert.deepEqual(doc.components.securitySchemes.backendKey, { type: 'http', scheme: 'bearer', description: 'BACKEND_API_KEY' })
})

test("the deployed Worker holds neither hono-openapi's generator nor a JSON Schema converter", () => {
  const outdir = mkdtempSync(join(tmpdir(), 'openapi-dry-run-'))
  try {
    const run = spawnSync('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', outdir, '--minify'], {
      encoding: 'utf8',
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
    })
    assert.equal(run.status, 0, run.stderr)
    const bundle = readFileSync(join(outdir, 'index.js'), 'utf8')
    // generateSpecs' default title, its validator marker, and the converter's JSON Schema dialect.
    for (const marker of ['Hono Documentation', '__HonoOpenAPIValidator__', 'draft-2020-12']) assert.ok(!bundle.includes(marker), marker)
    // Nor the document: it is a static asset beside the Worker.
    assert.ok(!bundle.includes('"openapi":"3.1.0"'))
    assert.ok(!bundle.includes('"openapi": "3.1.0"'))
  } finally {
    rmSync(outdir, { recursive: true, force: true })
  }
})
