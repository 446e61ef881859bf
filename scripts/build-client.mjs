#!/usr/bin/env node
/** npm run build:client: rebuilds src/client/browserModule.generated.ts (what GET /client.js serves) from src/client/browser.ts. */
import { CLIENT_MODULE, writeClientModule } from './lib/workerCode.mjs'

const changed = await writeClientModule()
console.log(changed ? `• rebuilt ${CLIENT_MODULE}` : `• ${CLIENT_MODULE} is up to date`)
