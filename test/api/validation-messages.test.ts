/**
 * A 400 invalid_request reads as it always has: the schemas' general messages
 * (wrong type, missing member, unknown members, a value outside an enum, an
 * array for an object) are the texts zod gave (src/util/valibot.ts), and an
 * unknown member is reported at its object, all of them in one problem.
 */
import { describe, expect, it } from 'vitest'
import { paymentBody, startPaymentAt } from '../helpers'

async function refusal(body: unknown) {
  const response = await startPaymentAt('/payments', body)
  expect(response.status).toBe(400)
  return response.json<{ error: string; message: string }>()
}

const withoutPayeeRef = () => {
  const { payeeRef: _, ...body } = paymentBody()
  return body
}

describe('POST /payments: the general messages of a refused body', () => {
  it.each([
    ['an array for the body', [], 'Invalid input: expected object, received array'],
    ['two unknown members', paymentBody({ tip: 1, zap: 2 }), 'Unrecognized keys: "tip", "zap"'],
    [
      'an unknown member of the payee',
      paymentBody({ payee: { name: 'A', sortCode: '123456', accountNumber: '12345678', extra: 1 } }),
      'payee: Unrecognized key: "extra"',
    ],
    ['a number for bankId', paymentBody({ bankId: 5 }), 'bankId: Invalid input: expected string, received number'],
    ['no payeeRef', withoutPayeeRef(), 'payeeRef: Invalid input: expected string, received undefined'],
    ['a payeeType of no kind', paymentBody({ payeeType: 'x' }), 'payeeType: Invalid option: expected one of "api-payee"|"mh-user-account"'],
    [
      'a string for readRefundAccount',
      paymentBody({ readRefundAccount: 'yes' }),
      'readRefundAccount: Invalid input: expected boolean, received string',
    ],
  ])('%s', async (_, body, message) => {
    expect(await refusal(body)).toEqual({ error: 'invalid_request', message })
  })
})
