import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { authorize, callback, started, tokenRequestFor, tokens } from './helpers'

async function dumpKv(): Promise<string> {
  const { keys } = await env.SESSIONS.list()
  const values = await Promise.all(keys.map(async (k) => `${k.name}=${await env.SESSIONS.get(k.name)}`))
  return values.join('\n')
}

describe('a dump of the KV namespace shows no secret', () => {
  it('holds no token, code verifier or nonce in the clear', async () => {
    const session = await started({ bankId: 'abc' })
    const pendingDump = await dumpKv()
    expect(pendingDump).toContain(`session:${session.id}`)
    expect(pendingDump).not.toMatch(/codeVerifier|nonce/)

    const back = await authorize(session.authorizeUrl)
    await callback(back)
    const issued = (await tokenRequestFor(back.searchParams.get('code')!)).answer!
    const dump = await dumpKv()
    for (const secret of [issued.access_token, issued.id_token, back.searchParams.get('code')]) {
      expect(dump).not.toContain(secret as string)
      // not even a recognisable piece of a JWT
      expect(dump).not.toContain((secret as string).slice(0, 40))
    }
    expect(dump).not.toContain('eyJ')
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
