/**
 * The shape of a single record's answer. The official client declares most as `ApiResponse<T>` = `{data, links?,
 * meta?}` (moneyhub/moneyhub-api-client, src/request.ts; getPayment, addPayee, getPayee: src/requests/types/payments.ts,
 * payees.ts) and the registered user bare (registerUser, getUser: src/requests/types/users-and-connections.ts): the mock
 * answers each as declared. For tests, POST /__mock/record-shape?key=<k>&shape=bare|data|list answers the record `k`
 * names (its id, a payee's externalId, a user's clientUserId) in another shape: `list` is `{data: [record]}`, which no
 * record answer should be.
 */
export type RecordShape = 'bare' | 'data' | 'list'
export const isRecordShape = (value: string | undefined): value is RecordShape => value === 'bare' || value === 'data' || value === 'list'

const switched = new Map<string, RecordShape>()

export function answerRecordAs(key: string, shape: RecordShape) {
  switched.set(key, shape)
  // Assumption (project): a test device; bounded so a long `npm run dev` does not grow.
  if (switched.size > 1000) switched.delete(switched.keys().next().value!)
}

/** The record in its declared shape, or in the shape a test switched one of its keys to. */
export function shaped(record: object, declared: 'data' | 'bare', ...keys: (string | undefined)[]): object {
  const shape = keys.map((key) => (key === undefined ? undefined : switched.get(key))).find(Boolean) ?? declared
  return shape === 'bare' ? record : shape === 'list' ? { data: [record] } : { data: record }
}
