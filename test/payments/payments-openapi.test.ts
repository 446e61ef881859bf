/**
 * The payment routes in the OpenAPI document: each is listed, each field's rule
 * is visible in the request schemas, and real answers match the answer schemas.
 * Their starts are guarded like POST /sessions: the caller is known before the
 * body is read, and a body over the start limit is 413.
 */
import { Validator } from '@cfworker/json-schema'
import { SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { forgetPayments } from '../../src/payments/payments'
import { APP_ORIGIN, backendAuth, backendJson, inlineSchemaRefs, MOCK_BANK_ID, paymentBody, payThrough, startPaymentAt } from '../helpers'

type Schema = Record<string, any>
const doc = async () => (await SELF.fetch('http://proxy.test/openapi.json')).json<Schema>()

describe('the payment routes in the OpenAPI document', () => {
  it('lists every route, with the Idempotency-Key header on the starts', async () => {
    const { paths } = await doc()
    for (const [path, method] of [
      ['/payments', 'post'],
      ['/payments/{id}', 'get'],
      ['/payments/{id}/events', 'get'],
      ['/payments/{id}/reverse', 'post'],
      ['/standing-orders', 'post'],
      ['/recurring-payments', 'post'],
      ['/recurring-payments/{id}/pay', 'post'],
      ['/recurring-payments/{id}', 'delete'],
      ['/recurring-payments/{id}', 'get'],
      ['/recurring-payments/{id}/events', 'get'],
    ] as const) {
      expect(paths[path]?.[method], `${method} ${path}`).toBeDefined()
      if (method === 'post') expect(paths[path][method].parameters.map((p: Schema) => p.name)).toContain('Idempotency-Key')
    }
  })

  it('shows each field’s rule: pence above 0, references of at most 18, 6-digit sort codes', async () => {
    const { paths, components } = await doc()
    const request = inlineSchemaRefs(paths['/payments'].post.requestBody.content['application/json'].schema, components.schemas) as Schema
    expect(request.properties.amount).toMatchObject({ type: 'integer', exclusiveMinimum: 0, description: expect.stringContaining('pence') })
    expect(request.properties.payeeRef).toMatchObject({ maxLength: 18, minLength: 1 })
    expect(request.properties.payee.properties.sortCode).toMatchObject({ pattern: '^\\d{6}$' })
    expect(request.properties.payee.properties.accountNumber).toMatchObject({ pattern: '^\\d{8}$' })
    expect(request.required).toEqual(expect.arrayContaining(['bankId', 'amount', 'payeeRef', 'payerRef']))
  })

  it('real answers match the documented schemas', async () => {
    const { paths, components } = await doc()
    const matches = (schema: unknown, value: unknown) =>
      expect(new Validator(inlineSchemaRefs(schema, components.schemas) as object, '2020-12', false).validate(value).errors).toEqual([])
    const started = await startPaymentAt('/payments', paymentBody())
    matches(paths['/payments'].post.responses['201'].content['application/json'].schema, await started.json())
    const { payment } = await payThrough('/payments', paymentBody())
    forgetPayments()
    const status = await (await SELF.fetch(`http://proxy.test/payments/${payment.id}`, { headers: backendAuth() })).json<Schema>()
    expect(status.payment).toBeDefined()
    matches(paths['/payments/{id}'].get.responses['200'].content['application/json'].schema, status)
  })
})

describe('the VRP consent routes in the OpenAPI document', () => {
  it('say the Idempotency-Key is required to pay, and real answers match the documented schemas', async () => {
    const { paths, components } = await doc()
    const matches = (schema: unknown, value: unknown) =>
      expect(new Validator(inlineSchemaRefs(schema, components.schemas) as object, '2020-12', false).validate(value).errors).toEqual([])
    const pay = paths['/recurring-payments/{id}/pay'].post
    expect(pay.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Idempotency-Key', required: true })]))
    const consent = {
      bankId: MOCK_BANK_ID,
      payee: { name: 'Gym Ltd', sortCode: '400000', accountNumber: '11223344' },
      maximumIndividualAmount: 500,
      periodicLimits: [{ amount: 500, periodType: 'Month', periodAlignment: 'Calendar' }],
      type: ['Other'],
      returnTo: `${APP_ORIGIN}/done`,
    }
    const { payment } = await payThrough('/recurring-payments', consent)
    const made = await backendJson(
      'POST',
      `/recurring-payments/${payment.id}/pay`,
      { amount: 100, payeeRef: 'Gym', payerRef: 'Gym' },
      { ...backendAuth(), 'idempotency-key': crypto.randomUUID() },
    )
    expect(made.status).toBe(201)
    matches(pay.responses['201'].content['application/json'].schema, await made.json())
    const view = await backendJson('GET', `/recurring-payments/${payment.id}`)
    matches(paths['/recurring-payments/{id}'].get.responses['200'].content['application/json'].schema, await view.json())
    const revoked = await backendJson('DELETE', `/recurring-payments/${payment.id}`)
    matches(paths['/recurring-payments/{id}'].delete.responses['200'].content['application/json'].schema, await revoked.json())
  })
})

describe('the payment starts are guarded like POST /sessions', () => {
  it('a body over the start limit is 413, and a body that is not JSON 415', async () => {
    const big = await startPaymentAt('/payments', paymentBody({ padding: 'x'.repeat(9 * 1024) }))
    expect(big.status).toBe(413)
    const form = await SELF.fetch('http://proxy.test/payments', {
      method: 'POST',
      headers: { ...backendAuth(), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'amount=150',
    })
    expect(form.status).toBe(415)
  })
})
