#!/usr/bin/env node
/** npm run build:openapi: regenerates public/openapi.json (the static asset GET /openapi.json serves) from the routes. */
import { OPENAPI_ASSET, writeOpenapiAsset } from './lib/workerCode.mjs'

const changed = await writeOpenapiAsset()
console.log(changed ? `• rebuilt ${OPENAPI_ASSET}` : `• ${OPENAPI_ASSET} is up to date`)
