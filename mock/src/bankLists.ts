/**
 * Moneyhub's published bank lists at {issuer}/.well-known/<type>-connections,
 * each entry a WellKnownConnection as the official client declares it
 * (moneyhub/moneyhub-api-client, src/schema/connection.ts; typed below against
 * 5.2.1's declaration with `satisfies`): the test bank every client has, a
 * couple of real-looking ones (one Moneyhub calls TEMPORARILY_UNAVAILABLE, one
 * PARTIALLY_AVAILABLE), the banks the Worker's tests start sessions with (the
 * Worker accepts only listed bank ids), and one malformed legacy entry (no
 * name), as a list maintained by hand may have.
 * For tests: POST /__mock/bank-lists?issuer=/nopar/oidc&fail=1 makes one
 * issuer's lists (or, with &type=payments, one of them) answer 503 until fail=0.
 */
import type { WellKnownConnection } from '@mft/moneyhub-api-client/dist/schema/connection'
import { Hono } from 'hono'
import { MOCK_BANK_ID } from './oauth'
import { record } from './state'

type AccountType = WellKnownConnection['accountTypes'][number]
const cash = (beta = false): AccountType => ({ name: 'cash:current', beta })
const card = (beta = false): AccountType => ({ name: 'card', beta })
const AVAILABLE: WellKnownConnection['status'] = { sync: 'AVAILABLE', auth: 'AVAILABLE' }

/** A bank as Moneyhub lists it: the declared members, with the usual values unless given. */
const bank = (
  fields: Pick<WellKnownConnection, 'id' | 'name' | 'type' | 'bankRef'> & Partial<WellKnownConnection>,
): WellKnownConnection => ({
  country: 'GB',
  parentRef: fields.bankRef,
  isBeta: false,
  accountTypes: [cash()],
  // Assumption (project): an icon address and parentRef as Moneyhub's entries look; the mock's own values.
  iconUrl: `https://identity.moneyhub.co.uk/bank-icons/${fields.bankRef}`,
  userTypes: ['personal'],
  payments: [],
  status: AVAILABLE,
  ...fields,
})

/** Banks only the Worker's tests use: a session's bank id must be listed, and health tests want a bank of their own each. */
const TEST_BANK_IDS = [
  'abc',
  ...Array.from({ length: 7 }, (_, i) => `bank${i}`),
  'b'.repeat(64), // the longest id the Worker accepts (test/largestStarts.ts)
  ...Array.from({ length: 24 }, (_, i) => `health-test-${String(i + 1).padStart(2, '0')}`),
]

/** The well-formed entries: WellKnownConnection as 5.2.1 declares it (node_modules/@mft/moneyhub-api-client). */
const LISTED = [
  bank({
    id: MOCK_BANK_ID,
    name: 'Moneyhub Open Banking Mock',
    type: 'test',
    bankRef: 'moneyhub-mock',
    accountTypes: [cash(), card()],
    userTypes: ['personal', 'business'],
    payments: ['domestic'],
  }),
  bank({
    id: '5233db2a04fe41dd01d3308ea92e8bd7',
    name: 'Modelo Sandbox',
    type: 'test',
    bankRef: 'modelo-sandbox',
    accountTypes: [cash(), card(true)],
  }),
  bank({
    id: '0b4ac5f6c6c0bf6aee4e6e9eb3bd0d13',
    name: 'Northwind Bank',
    type: 'api',
    bankRef: 'northwind',
    parentRef: 'northwind-group',
    accountTypes: [cash(), card(), { name: 'loan', beta: true }],
    userTypes: ['personal', 'business'],
    payments: ['domestic'],
  }),
  bank({
    id: 'b7f6fbd1a3a54c5fa8a6b4a92c5a5e61',
    name: 'Contoso Building Society',
    type: 'api',
    bankRef: 'contoso',
    accountTypes: [cash(), { name: 'mortgage:repayment', beta: false }],
  }),
  bank({
    id: 'd0a1c2b3e4f5a6b7c8d9e0f1a2b3c4d5',
    name: 'Tailspin Bank',
    type: 'api',
    bankRef: 'tailspin',
    status: { sync: 'AVAILABLE', auth: 'TEMPORARILY_UNAVAILABLE' },
  }),
  bank({
    id: 'e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6',
    name: 'Woodgrove Bank',
    type: 'test',
    bankRef: 'woodgrove',
    status: { sync: 'AVAILABLE', auth: 'PARTIALLY_AVAILABLE' },
  }),
  bank({
    id: '7c2e1ab2d1d1fd1e5d6cd3b42aa00b1f',
    name: 'Fabrikam Pensions',
    type: 'legacy',
    bankRef: 'fabrikam',
    accountTypes: [{ name: 'pension', beta: false }],
  }),
  ...TEST_BANK_IDS.map((id) => bank({ id, name: `Mock test bank ${id.slice(0, 16)}`, type: 'test', bankRef: `mock-${id.slice(0, 16)}` })),
] satisfies WellKnownConnection[]

export const BANKS: unknown[] = [
  ...LISTED,
  // Malformed: no name (the Worker drops it and says so in X-Dropped-Entries).
  { id: 'c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9', type: 'legacy', bankRef: 'half-listed' },
]

/** Issuer base paths (e.g. /nopar/oidc), or `<path> <type>`, whose lists fail for now. */
export const failingBankLists = new Set<string>()

/**
 * payments: the banks whose `payments` lists a kind (the test bank and Northwind); beta: those in beta or with an
 * account type in beta. Assumption (project): Moneyhub publishes both lists (official client,
 * src/requests/unauthenticated.ts: listPaymentsConnections, listBetaConnections) without saying how it picks them.
 */
const entry = (b: unknown) => b as Partial<WellKnownConnection>
const LISTS: Record<string, (bank: unknown) => boolean> = {
  all: () => true,
  api: (b) => entry(b).type === 'api',
  legacy: (b) => entry(b).type === 'legacy',
  test: (b) => entry(b).type === 'test',
  payments: (b) => (entry(b).payments ?? []).length > 0,
  beta: (b) => Boolean(entry(b).isBeta) || (entry(b).accountTypes ?? []).some((a) => a.beta),
}

/** {issuer}/.well-known/<type>-connections, as the official client reads them (src/requests/unauthenticated.ts). */
export function bankLists(issuerPath: string) {
  return new Hono().get('/.well-known/:list{(all|api|legacy|test|payments|beta)-connections}', (c) => {
    const type = c.req.param('list').replace(/-connections$/, '')
    if (failingBankLists.has(issuerPath) || failingBankLists.has(`${issuerPath} ${type}`)) {
      record({ endpoint: 'bank-list', params: { issuer: issuerPath, type }, status: 503 })
      return c.json({ error: 'server_error' }, 503)
    }
    record({ endpoint: 'bank-list', params: { issuer: issuerPath, type }, status: 200 })
    return c.json(BANKS.filter(LISTS[type]!))
  })
}

/** A listed bank's name, for the consent page: the user reads "Northwind Bank", not its id. */
export function bankName(id: string): string | undefined {
  const found = BANKS.find((b) => entry(b).id === id)
  return found ? entry(found).name : undefined
}
