/**
 * A session starts only with a bank id from Moneyhub's published lists (GET /banks), or a group selector (all, api,
 * legacy, test): anything else is 400 `bank_not_listed` on every start route, and never makes a BankHealth object
 * (docs/bank-health.md, "Which bank").
 */
import { SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { healthOf, healthReport } from '../bankHealth'
import { APP_ORIGIN, Browser, MOCK_BANK_ID, backendJson, paymentBody, startSession, started } from '../helpers'

/** Well-formed, and in no list of the mock's (mock/src/bankLists.ts). */
const UNLISTED = 'f00dfeedf00dfeedf00dfeedf00dfeed'
/** A bank of the mock's list that only this file uses. */
const LISTED = 'health-test-11'

const refusedAsUnlisted = async (response: Response) => {
  expect(response.status).toBe(400)
  expect(await response.json()).toMatchObject({ error: 'bank_not_listed' })
}

describe('bank ids from the published lists only', () => {
  it('POST /sessions (backend and browser) and POST /payments refuse an unlisted bank id with 400 bank_not_listed', async () => {
    await refusedAsUnlisted(await startSession({ bankId: UNLISTED }))
    await refusedAsUnlisted(await startSession({ bankId: UNLISTED, returnTo: `${APP_ORIGIN}/x` }, { origin: APP_ORIGIN }))
    await refusedAsUnlisted(await backendJson('POST', '/payments', paymentBody({ bankId: UNLISTED })))
  })

  it('GET /connect refuses it with 400', async () => {
    const response = await new Browser().open(`http://proxy.test/connect?bankId=${UNLISTED}`)
    expect(response.status).toBe(400)
    expect(await response.text()).toContain('bank_not_listed')
  })

  it('a listed bank and a group selector start', async () => {
    expect((await startSession({ bankId: MOCK_BANK_ID })).status).toBe(201)
    expect((await startSession({ bankId: 'test' })).status).toBe(201)
  })

  it('an unlisted id never makes a BankHealth object', async () => {
    await startSession({ bankId: UNLISTED })
    await new Browser().open(`http://proxy.test/connect?bankId=${UNLISTED}`)
    // A listed bank's start, sent after: once it is counted, the others would have been.
    await started({ bankId: LISTED })
    await healthOf(LISTED, { started: 1 })
    expect((await healthReport()).banks.map((b) => b.bank)).not.toContain(UNLISTED)
    expect((await SELF.fetch(`http://proxy.test/banks`)).status).toBe(200)
  })
})
