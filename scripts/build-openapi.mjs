#!/usr/bin/env node
/** npm run build:openapi: regenerates src/http/openapiDocument.generated.ts (what GET /openapi.json serves) from the routes. */
import { OPENAPI_MODULE, writeOpenapiModule } from './lib/workerCode.mjs'

const changed = await writeOpenapiModule()
console.log(changed ? `• rebuilt ${OPENAPI_MODULE}` : `• ${OPENAPI_MODULE} is up to date`)
