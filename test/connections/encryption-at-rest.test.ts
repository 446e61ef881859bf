import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { allKvKeys, authorize, browser, callback, pushedRequestFor, started, tokenRequestFor, tokens } from '../helpers'

/** Every KV record, or those whose key names `only` (the namespace also holds other test files' records). */
async function dumpKv(only = ''): Promise<string> {
  const named = (await allKvKeys()).filter((name) => name.includes(only))
  const values = await Promise.all(named.map(async (name) => `${name}=${await env.SESSIONS.get(name)}`))
  return values.join('\n')
}

describe('a dump of the KV namespace shows no secret', () => {
  it('holds no token, code verifier, nonce or browser key in the clear', async () => {
    const session = await started({ bankId: 'abc' })
    const pendingDump = await dumpKv(session.id)
    expect(pendingDump).toContain(`session:${session.id}`)
    expect(pendingDump).not.toMatch(/codeVerifier|nonce|browserKey/)

    const identityUrl = await browser.launch(session.authorizeUrl)
    const nonce = (await pushedRequestFor(identityUrl)).params.nonce!
    const browserKey = [...browser.cookies.values()].at(-1)!
    const back = await browser.decide(identityUrl)
    await callback(back)
    const request = await tokenRequestFor(back.searchParams.get('code')!)
    const issued = request.answer!
    const dump = await dumpKv()
    // The secrets themselves, never a pattern that random ciphertext can happen to contain.
    const secrets = {
      access_token: issued.access_token as string,
      id_token: issued.id_token as string,
      code: back.searchParams.get('code')!,
      code_verifier: request.params.code_verifier!,
      nonce,
      browserKey,
    }
    for (const [name, secret] of Object.entries(secrets)) {
      expect(secret, name).toMatch(/^[\w.-]{16,}$/)
      expect(dump.includes(secret), `${name} is in KV in the clear`).toBe(false)
    }
    // Nor a recognisable piece of a JWT: its signature-free head and payload.
    for (const jwt of [secrets.access_token, secrets.id_token]) expect(dump.includes(jwt.slice(0, 40))).toBe(false)
  })

  it('a sealed token set copied into another session does not open there', async () => {
    const a = await started({})
    await callback(await authorize(a.authorizeUrl))
    const b = await started({})
    await callback(await authorize(b.authorizeUrl))
    const recordA = JSON.parse((await env.SESSIONS.get(`session:${a.id}`))!)
    const recordB = JSON.parse((await env.SESSIONS.get(`session:${b.id}`))!)
    await env.SESSIONS.put(`session:${b.id}`, JSON.stringify({ ...recordB, sealed: recordA.sealed }))
    const response = await tokens(b.id)
    expect(response.status).toBe(409)
    expect(await response.json()).toMatchObject({ error: 'tokens_unreadable' })
  })
})
