#!/usr/bin/env node
/**
 * npm run keys -- [--alg PS256|RS256|ES256] [--kid <kid>] [--add-to <private JWKS file>] [--help]
 *
 * Makes a client signing key with jose and prints:
 *  - CLIENT_PRIVATE_JWKS: the private JWK Set, for `wrangler secret put` or .dev.vars
 *  - the public JWKS to register with Moneyhub
 *  - a fresh TOKEN_ENCRYPTION_KEY, BACKEND_API_KEY and HEALTH_API_KEY
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose'
import { parseArgs } from 'node:util'
import { pathToFileURL } from 'node:url'

export const ALGS = ['RS256', 'PS256', 'ES256']
const PUBLIC_MEMBERS = ['kty', 'kid', 'alg', 'use', 'n', 'e', 'crv', 'x', 'y']

export async function makeSigningKey(alg = 'RS256', kid) {
  if (!ALGS.includes(alg)) throw new Error(`--alg must be one of ${ALGS.join(', ')}`)
  const { privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'ES256' ? {} : { modulusLength: 2048 }) })
  const jwk = await exportJWK(privateKey)
  // Moneyhub's own tooling uses the JWK thumbprint as kid.
  return { ...jwk, kid: kid ?? (await calculateJwkThumbprint(jwk)), alg, use: 'sig' }
}

export const publicJwks = (privateJwks) => ({
  keys: privateJwks.keys.map((k) => Object.fromEntries(Object.entries(k).filter(([m]) => PUBLIC_MEMBERS.includes(m)))),
})

export const randomKey = (bytes = 32) => Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('base64url')

export const USAGE = `Usage: npm run keys -- [--alg PS256|RS256|ES256] [--kid <kid>] [--add-to <file>]

Prints a new client signing key as CLIENT_PRIVATE_JWKS (a private JWK Set), its public
JWKS to register with Moneyhub, a TOKEN_ENCRYPTION_KEY, a BACKEND_API_KEY and a HEALTH_API_KEY
(the dashboard's read-only key).

  --alg       the signing algorithm of the new key (default RS256)
  --kid       its key id (default: its JWK thumbprint)
  --add-to    a file holding your current private JWK Set, either as JSON ({"keys":[…]})
              or as the CLIENT_PRIVATE_JWKS=… line this command prints (a .dev.vars works too):
              the new key is appended after the existing ones (rotation, docs/configuration.md, "Rotating keys")
  -h, --help  this text`

/** The private JWK Set in a file: JSON, or a `CLIENT_PRIVATE_JWKS=<json>` line (as printed here, or in .dev.vars). */
export function readPrivateJwks(text, file = 'the file') {
  const line = text.split('\n').find((l) => l.trim().startsWith('CLIENT_PRIVATE_JWKS='))
  const json = line ? line.slice(line.indexOf('=') + 1).trim() : text.trim()
  let jwks
  try {
    jwks = JSON.parse(json)
  } catch {
    throw new Error(`${file} holds neither a JWK Set as JSON ({"keys":[…]}) nor a CLIENT_PRIVATE_JWKS=… line`)
  }
  if (!Array.isArray(jwks?.keys)) throw new Error(`${file}: the JWK Set has no "keys" array`)
  return jwks
}

async function main() {
  let values
  try {
    ;({ values } = parseArgs({
      options: {
        alg: { type: 'string', default: 'RS256' },
        kid: { type: 'string' },
        'add-to': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }))
  } catch (error) {
    throw new Error(`${error.message}\n\n${USAGE}`)
  }
  if (values.help) return console.log(USAGE)
  let jwks = { keys: [] }
  if (values['add-to']) {
    const { readFileSync } = await import('node:fs')
    jwks = readPrivateJwks(readFileSync(values['add-to'], 'utf8'), values['add-to'])
  }
  // Rotation: the new key goes last; it signs once you move it first, after Moneyhub has it registered.
  jwks.keys.push(await makeSigningKey(values.alg.toUpperCase(), values.kid))
  console.log('# CLIENT_PRIVATE_JWKS (secret: `wrangler secret put CLIENT_PRIVATE_JWKS`, or one line in .dev.vars)')
  console.log(`CLIENT_PRIVATE_JWKS=${JSON.stringify(jwks)}\n`)
  console.log('# Public JWKS to register with Moneyhub (also served at /.well-known/jwks.json)')
  console.log(`${JSON.stringify(publicJwks(jwks), null, 2)}\n`)
  console.log('# TOKEN_ENCRYPTION_KEY (32 random bytes; to rotate, put the new one first: NEW,OLD)')
  console.log(`TOKEN_ENCRYPTION_KEY=${randomKey()}\n`)
  console.log('# BACKEND_API_KEY (your backend sends it as Authorization: Bearer …)')
  console.log(`BACKEND_API_KEY=${randomKey(32)}\n`)
  console.log('# HEALTH_API_KEY (read-only: GET /banks/health and the dashboard; never the backend key)')
  console.log(`HEALTH_API_KEY=${randomKey(32)}`)
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error) => {
    console.error(`keys: ${error.message}`)
    process.exit(1)
  })
}
