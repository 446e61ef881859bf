/**
 * Moneyhub's published bank lists at {issuer}/.well-known/<type>-connections,
 * with the test bank every client has, a couple of real-looking ones, and one
 * malformed legacy entry (no bankRef), as a list maintained by hand may have.
 * For tests: POST /__mock/bank-lists?issuer=/nopar/oidc&fail=1 makes one
 * issuer's lists (or, with &type=payments, one of them) answer 503 until fail=0.
 */
import { Hono } from 'hono'
import { MOCK_BANK_ID } from './oauth'
import { record } from './state'

const cash = (beta = false) => ({ type: 'cash', beta })
const card = (beta = false) => ({ type: 'card', beta })

export const BANKS = [
  {
    id: MOCK_BANK_ID,
    name: 'Moneyhub Open Banking Mock',
    type: 'test',
    bankRef: 'moneyhub-mock',
    accountTypes: [cash(), card()],
    userTypes: ['personal', 'business'],
  },
  {
    id: '5233db2a04fe41dd01d3308ea92e8bd7',
    name: 'Modelo Sandbox',
    type: 'test',
    bankRef: 'modelo-sandbox',
    accountTypes: [cash(), card(true)],
    userTypes: ['personal'],
  },
  {
    id: '0b4ac5f6c6c0bf6aee4e6e9eb3bd0d13',
    name: 'Northwind Bank',
    type: 'api',
    bankRef: 'northwind',
    iconUrl: 'https://identity.moneyhub.co.uk/bank-icons/northwind',
    accountTypes: [cash(), card(), { type: 'loan', beta: true }],
    userTypes: ['personal', 'business'],
    parentRef: 'northwind-group',
  },
  {
    id: 'b7f6fbd1a3a54c5fa8a6b4a92c5a5e61',
    name: 'Contoso Building Society',
    type: 'api',
    bankRef: 'contoso',
    accountTypes: [cash(), { type: 'mortgage', beta: false }],
    userTypes: ['personal'],
  },
  {
    id: '7c2e1ab2d1d1fd1e5d6cd3b42aa00b1f',
    name: 'Fabrikam Pensions',
    type: 'legacy',
    bankRef: 'fabrikam',
    accountTypes: [{ type: 'pension', beta: false }],
    userTypes: ['personal'],
  },
  { id: 'c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9', name: 'Half-listed Legacy Bank', type: 'legacy' },
]

/** Issuer base paths (e.g. /nopar/oidc), or `<path> <type>`, whose lists fail for now. */
export const failingBankLists = new Set<string>()

/**
 * The banks that take payments, and those in beta: Assumption (project): the test bank and Northwind take payments;
 * beta lists the banks with an account type in beta. Moneyhub publishes both lists (official client,
 * src/requests/unauthenticated.ts: listPaymentsConnections, listBetaConnections) without saying how it picks them.
 */
const PAYMENT_BANKS = new Set([MOCK_BANK_ID, '0b4ac5f6c6c0bf6aee4e6e9eb3bd0d13'])
const LISTS: Record<string, (bank: (typeof BANKS)[number]) => boolean> = {
  all: () => true,
  api: (b) => b.type === 'api',
  legacy: (b) => b.type === 'legacy',
  test: (b) => b.type === 'test',
  payments: (b) => PAYMENT_BANKS.has(b.id),
  beta: (b) => ((b as { accountTypes?: { beta: boolean }[] }).accountTypes ?? []).some((a) => a.beta),
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
