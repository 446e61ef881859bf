/**
 * A connection may ask for a data scope the identity server's discovery lists (scopes_supported) though the Worker's
 * own list lacks it: the official client's account calls use `standing_orders:read`, `statements_basic:read` and
 * `statements_detail:read` (moneyhub/moneyhub-api-client, src/requests/accounts.ts). Scopes that are not data scopes
 * (the journey's own, client-level ones) stay refused, and so does a scope discovery does not list.
 */
import { describe, expect, it } from 'vitest'
import { browser, connectAccount, pushedRequestFor, startSession, statusOf } from '../helpers'

const start = (dataScopes: string[]) => startSession({ bankId: 'abc', dataScopes })

describe('connection data scopes from discovery', () => {
  it.each([['standing_orders:read'], ['statements_basic:read'], ['statements_detail:read']])(
    'asks for %s beside accounts:read, and the connection completes',
    async (scope) => {
      const response = await start(['accounts:read', scope])
      expect(response.status).toBe(201)
      const { authorizeUrl } = await response.json<{ authorizeUrl: string }>()
      const pushed = await pushedRequestFor(await browser.launch(authorizeUrl))
      expect(pushed.params.scope!.split(' ')).toContain(scope)
      const { session, response: back } = await connectAccount({ bankId: 'abc', dataScopes: ['accounts:read', scope] })
      expect(back.ok).toBe(true)
      expect(((await statusOf(session.id)).scope as string).split(' ')).toContain(scope)
    },
  )

  it.each([['made_up:read'], ['openid'], ['offline_access'], ['id:all'], ['payment'], ['user:create'], ['reconsent']])(
    'refuses %s: 400 invalid_scope naming it',
    async (scope) => {
      const response = await start(['accounts:read', scope])
      expect(response.status).toBe(400)
      expect(await response.json()).toMatchObject({ error: 'invalid_scope', message: expect.stringContaining(scope) })
    },
  )
})
