/**
 * A bank list entry as the official client declares it (WellKnownConnection: moneyhub/moneyhub-api-client,
 * src/schema/connection.ts, in 5.2.1 and 6.x) is kept, whole: account types by `name`, every connection type,
 * Moneyhub's own `status`, `payments`, `country`, `isBeta`; an entry is dropped only without an id or a name.
 */
import type { WellKnownConnection } from '@mft/moneyhub-api-client/dist/schema/connection'
import { describe, expect, it } from 'vitest'
import { bankFromEntry } from '../../src/banks/bankList'

const config = { identityUrl: 'https://identity.moneyhub.co.uk' }

/** 5.2.1's declared type (node_modules/@mft/moneyhub-api-client/dist/schema/connection.d.ts). */
const v5 = {
  id: '0b4ac5f6c6c0bf6aee4e6e9eb3bd0d13',
  name: 'Northwind Bank',
  type: 'api',
  country: 'GB',
  parentRef: 'northwind-group',
  bankRef: 'northwind',
  isBeta: false,
  accountTypes: [
    { name: 'cash:current', beta: false },
    { name: 'card', beta: true },
  ],
  iconUrl: 'https://identity.moneyhub.co.uk/bank-icons/northwind',
  userTypes: ['personal', 'business'],
  payments: ['domestic'],
  status: { sync: 'AVAILABLE', auth: 'TEMPORARILY_UNAVAILABLE' },
} satisfies WellKnownConnection

/** 6.x (upstream src/schema/connection.ts): account type names without a subtype, and `autotrader` among the types. */
const v6 = {
  ...v5,
  type: 'autotrader',
  accountTypes: [
    { name: 'cash', beta: false },
    { name: 'properties', beta: false },
  ],
}

const parsed = (entry: unknown) => {
  const result = bankFromEntry(config, entry)
  if (!result.ok) throw new Error(result.issues.join('; '))
  return result.bank
}

describe('a bank list entry of the official shape', () => {
  it('5.2.1: kept with its account types (by name), status, payments, country and isBeta', () => {
    expect(parsed(v5)).toEqual({
      id: v5.id,
      name: 'Northwind Bank',
      type: 'api',
      bankRef: 'northwind',
      iconUrl: v5.iconUrl,
      accountTypes: [
        { type: 'cash:current', beta: false },
        { type: 'card', beta: true },
      ],
      userTypes: ['personal', 'business'],
      country: 'GB',
      isBeta: false,
      payments: ['domestic'],
      status: { sync: 'AVAILABLE', auth: 'TEMPORARILY_UNAVAILABLE' },
    })
  })

  it('6.x: an autotrader connection with 6.x account type names', () => {
    expect(parsed(v6)).toMatchObject({ type: 'autotrader', accountTypes: [{ type: 'cash' }, { type: 'properties' }] })
  })

  it.each(['zoopla', 'mouseprice', 'autotrader'])('a %s connection is kept', (type) => {
    expect(parsed({ ...v5, type }).type).toBe(type)
  })

  it('the project’s earlier shape (accountTypes[].type) is still read', () => {
    expect(parsed({ ...v5, accountTypes: [{ type: 'loan', beta: true }] }).accountTypes).toEqual([{ type: 'loan', beta: true }])
  })

  it.each([
    ['an unknown connection type', { type: 'somethingnew' }, { type: 'somethingnew' }],
    ['an unknown status', { status: { sync: 'AVAILABLE', auth: 'SOMETIMES' } }, { status: { sync: 'AVAILABLE', auth: 'SOMETIMES' } }],
    ['a status that is not an object', { status: 'AVAILABLE' }, { id: v5.id }],
    ['accountTypes that is not an array', { accountTypes: 'cash' }, { accountTypes: [] }],
    [
      'an account type without a name',
      { accountTypes: [{ beta: true }, { name: 'card', beta: false }] },
      { accountTypes: [{ type: 'card', beta: false }] },
    ],
    ['no bankRef', { bankRef: undefined }, { id: v5.id, iconUrl: v5.iconUrl }],
    ['an icon that is null', { iconUrl: null }, { iconUrl: 'https://identity.moneyhub.co.uk/bank-icons/northwind' }],
    ['isBeta as a string', { isBeta: 'no' }, { isBeta: false }],
    ['a new member', { somethingElse: { a: 1 } }, { id: v5.id }],
  ])('one unexpected field (%s) never drops the entry', (_, change, expected) => {
    expect(parsed({ ...v5, ...change })).toMatchObject(expected)
  })

  it.each([
    ['no id', { id: undefined }],
    ['an id that is not a bank id', { id: 'a b' }],
    ['no name', { name: undefined }],
    ['an empty name', { name: ' ' }],
  ])('an entry with %s is dropped', (_, change) => {
    expect(bankFromEntry(config, { ...v5, ...change }).ok).toBe(false)
  })
})
