// Generated from src/index.ts by `npm run build:types` (scripts/build-types.mjs). Do not edit.
// test/node/types-build.test.mjs fails when this file is out of date.
import type { HonoBase } from 'hono/hono-base'
import type { BlankEnv, MergeSchemaPath } from 'hono/types'
import type { ContentfulStatusCode, StatusCode } from 'hono/utils/http-status'
import type { JSONValue } from 'hono/utils/types'
import type { JWKKeyType, JWSAlgorithm, JWEKeyManagementAlgorithm, JWEContentEncryptionAlgorithm } from 'jose'

declare const KIND_NAMES: readonly ['connection', 'payment', 'standing_order', 'recurring_payment', 'reverse_payment']

type KindName = (typeof KIND_NAMES)[number]

/** `authorised`: a payment kind's final success (a connection's is `connected`). */
type SessionStatus = 'pending' | 'connected' | 'authorised' | 'failed' | 'expired'

/** What a payment kind's id_token said was made (payments/kinds.ts). */
declare const OUTCOME_IDS: readonly ['paymentId', 'standingOrderId', 'recurringPaymentId', 'reversePaymentId']

type OutcomeIds = Partial<Record<(typeof OUTCOME_IDS)[number], string>>

/** What the status API shows: never a token. */
interface Session extends OutcomeIds {
  id: string
  /** The session kind (connection/kind.ts); absent for a connection. */
  kind?: Exclude<KindName, 'connection'>
  status: SessionStatus
  bankId?: string
  userId?: string
  connectionId?: string
  scope?: string
  /** Seconds since the epoch: when a pending attempt lapses, or when the access token expires. */
  expiresAt: number
  /** With a refresh token: until when the session can be refreshed. */
  refreshableUntil?: number
  error?: string
  errorDescription?: string
}

type PaymentSessionStatus = 'pending' | 'authorised' | 'failed' | 'expired'

declare const api: HonoBase<
  BlankEnv,
  | {
      '/health': {
        $get: {
          input: {}
          output: {
            status: 'ok'
          }
          outputFormat: 'json'
          status: ContentfulStatusCode
        }
      }
    }
  | MergeSchemaPath<
      {
        '/': {
          $get: {
            input: {
              param: {
                id: string
              }
            } & {
              query: {
                ticket: string
              }
            }
            output: {}
            outputFormat: string
            status: StatusCode
          }
        }
      },
      '/sessions/:id/authorize'
    >
  | MergeSchemaPath<
      {
        '/': {
          $post: {
            input: {
              json: {
                bankId?: string | undefined
                returnTo?: string | undefined
                userId?: string | undefined
                connectionId?: string | undefined
                action?: 'reauth' | 'reconsent' | 'refresh' | undefined
                offlineAccess?: boolean | undefined
                consent?:
                  | {
                      permissions?: string[] | undefined
                      permissionsAction?: 'replace' | 'add' | undefined
                      expirationDateTime?: string | undefined
                      transactionFromDateTime?: string | undefined
                    }
                  | undefined
                enableAsync?: boolean | undefined
                accountVerification?: boolean | undefined
                dataScopes?: string[] | undefined
                categoryType?: 'personal' | 'business' | undefined
              }
            }
            output: {
              secret?: string | undefined
              id: string
              authorizeUrl: string
              statusUrl: string
              expiresAt: number
            }
            outputFormat: 'json'
            status: 201
          }
        }
      } & {
        '/:id': {
          $get: {
            input: {
              param: {
                id: string
              }
            } & {
              query: {
                wait?: string | string[] | undefined
                secret?: string | undefined
              }
            }
            output: {
              id: string
              kind?: Exclude<KindName, 'connection'> | undefined
              status: SessionStatus
              bankId?: string | undefined
              userId?: string | undefined
              connectionId?: string | undefined
              scope?: string | undefined
              expiresAt: number
              refreshableUntil?: number | undefined
              error?: string | undefined
              errorDescription?: string | undefined
              paymentId?: string | undefined
              standingOrderId?: string | undefined
              recurringPaymentId?: string | undefined
              reversePaymentId?: string | undefined
            }
            outputFormat: 'json'
            status: ContentfulStatusCode
          }
        }
      } & {
        '/:id/events': {
          $get:
            | {
                input: {
                  param: {
                    id: string
                  }
                }
                output: `event: status
data: ${string}

`
                outputFormat: 'body'
                status: ContentfulStatusCode
              }
            | {
                input: {
                  param: {
                    id: string
                  }
                }
                output: ReadableStream<Uint8Array<ArrayBufferLike>>
                outputFormat: 'body'
                status: ContentfulStatusCode
              }
        }
      } & {
        '/:id/tokens': {
          $get: {
            input: {
              param: {
                id: string
              }
            }
            output: {
              access_token: string
              id_token: string
              refresh_token?: string | undefined
              token_type: 'Bearer'
              scope: string
              expires_at: number
            }
            outputFormat: 'json'
            status: ContentfulStatusCode
          }
        }
      } & {
        '/:id/refresh': {
          $post: {
            input: {
              param: {
                id: string
              }
            }
            output: {
              id: string
              kind?: Exclude<KindName, 'connection'> | undefined
              status: SessionStatus
              bankId?: string | undefined
              userId?: string | undefined
              connectionId?: string | undefined
              scope?: string | undefined
              expiresAt: number
              refreshableUntil?: number | undefined
              error?: string | undefined
              errorDescription?: string | undefined
              paymentId?: string | undefined
              standingOrderId?: string | undefined
              recurringPaymentId?: string | undefined
              reversePaymentId?: string | undefined
            }
            outputFormat: 'json'
            status: ContentfulStatusCode
          }
        }
      } & {
        '/:id': {
          $delete:
            | {
                input: {
                  param: {
                    id: string
                  }
                }
                output: null
                outputFormat: 'body'
                status: 204
              }
            | {
                input: {
                  param: {
                    id: string
                  }
                }
                output: {
                  id: string
                  deleted: true
                  revoked: false
                  error: string | undefined
                }
                outputFormat: 'json'
                status: 200
              }
        }
      },
      '/sessions'
    >
  | MergeSchemaPath<
      {
        '/': {
          $get: {
            input: {
              query: {
                bankId?: string | undefined
                returnTo?: string | undefined
              }
            }
            output: undefined
            outputFormat: 'redirect'
            status: 303
          }
        }
      },
      '/connect'
    >
  | MergeSchemaPath<
      {
        '/': {
          $get: {
            input: {
              query: {
                state: string
                error?: string | undefined
                code?: string | undefined
                iss?: string | undefined
                error_description?: string | undefined
              }
            }
            output: {}
            outputFormat: string
            status: StatusCode
          }
        }
      } & {
        '/': {
          $post: {
            input: {
              form: {
                state: string
                code?: string | undefined
                iss?: string | undefined
                error?: string | undefined
                error_description?: string | undefined
                id_token?: string | undefined
              }
            }
            output: {}
            outputFormat: string
            status: StatusCode
          }
        }
      },
      '/callback'
    >
  | MergeSchemaPath<
      {
        '/': {
          $post: {
            input: {
              json: {
                clientUserId?: string | undefined
              }
            }
            output: {
              [x: string]: JSONValue | undefined
              userId: string
              clientUserId?: string | null | undefined
            }
            outputFormat: 'json'
            status: 201
          }
        }
      } & {
        '/:userId': {
          $get: {
            input: {
              param: {
                userId: string
              }
            }
            output: {
              [x: string]: JSONValue | undefined
              userId: string
              clientUserId?: string | null | undefined
            }
            outputFormat: 'json'
            status: ContentfulStatusCode
          }
        }
      } & {
        '/:userId': {
          $delete: {
            input: {
              param: {
                userId: string
              }
            }
            output: null
            outputFormat: 'body'
            status: 204
          }
        }
      },
      '/users'
    >
  | MergeSchemaPath<
      {
        '/': {
          $post: {
            input: {
              json: {
                scopes: string[]
                userId?: string | undefined
              }
            }
            output: {
              access_token: string
              token_type: 'Bearer'
              scope: string
              expires_at: number
            }
            outputFormat: 'json'
            status: ContentfulStatusCode
          }
        }
      },
      '/tokens'
    >
  | MergeSchemaPath<
      {
        '/': {
          $get:
            | {
                input: {
                  query: {
                    type?: 'api' | 'legacy' | 'test' | 'all' | undefined
                  }
                }
                output: null
                outputFormat: 'body'
                status: 304
              }
            | {
                input: {
                  query: {
                    type?: 'api' | 'legacy' | 'test' | 'all' | undefined
                  }
                }
                output: string
                outputFormat: 'body'
                status: 200
              }
        }
      },
      '/banks'
    >
  | MergeSchemaPath<
      {
        '/': {
          $post: {
            input: {
              json: {
                name: string
                sortCode: string
                accountNumber: string
                externalId?: string | undefined
                userId?: string | undefined
              }
            }
            output: {
              [x: string]: JSONValue | undefined
              id: string
              name: string
              sortCode: string
              accountNumber: string
              externalId?: string | undefined
              userId?: string | undefined
              createdAt?: string | undefined
            }
            outputFormat: 'json'
            status: 201
          }
        }
      } & {
        '/': {
          $get: {
            input: {
              query: {
                limit?: string | string[] | undefined
                offset?: string | string[] | undefined
                userId?: string | undefined
              }
            }
            output: {
              payees: {
                [x: string]: JSONValue | undefined
                id: string
                name: string
                sortCode: string
                accountNumber: string
                externalId?: string | undefined
                userId?: string | undefined
                createdAt?: string | undefined
              }[]
            }
            outputFormat: 'json'
            status: ContentfulStatusCode
          }
        }
      },
      '/payees'
    >
  | MergeSchemaPath<
      ((
        | {
            '/:id/reverse': {
              $post: {
                input: {
                  param: {
                    id: string
                  }
                } & {
                  json: {
                    bankId: string
                    userId?: string | undefined
                    returnTo?: string | undefined
                    amount?: number | undefined
                    payerId?: string | undefined
                    payerType?: 'mh-user-account' | 'api-payer' | undefined
                  }
                }
                output: {
                  id: string
                  authorizeUrl: string
                  statusUrl: string
                  expiresAt: number
                  secret?: string | undefined
                }
                outputFormat: 'json'
                status: 201
              }
            }
          }
        | (MergeSchemaPath<
            {
              '/': {
                $post: {
                  input: {
                    json: {
                      payeeRef: string
                      payerRef: string
                      bankId: string
                      amount: number
                      userId?: string | undefined
                      returnTo?: string | undefined
                      readRefundAccount?: boolean | undefined
                      payeeId?: string | undefined
                      payee?:
                        | {
                            name: string
                            sortCode: string
                            accountNumber: string
                          }
                        | undefined
                      payeeType?: 'api-payee' | 'mh-user-account' | undefined
                      payerId?: string | undefined
                      payerType?: 'mh-user-account' | 'api-payer' | undefined
                      context?: 'BillPayment' | 'EcommerceGoods' | 'EcommerceServices' | 'Other' | 'PartyToParty' | undefined
                    }
                  }
                  output: {
                    id: string
                    authorizeUrl: string
                    statusUrl: string
                    expiresAt: number
                    secret?: string | undefined
                  }
                  outputFormat: 'json'
                  status: 201
                }
              }
            },
            '/'
          > & {
            '/:id/reverse': {
              $post: {
                input: {
                  param: {
                    id: string
                  }
                } & {
                  json: {
                    bankId: string
                    userId?: string | undefined
                    returnTo?: string | undefined
                    amount?: number | undefined
                    payerId?: string | undefined
                    payerType?: 'mh-user-account' | 'api-payer' | undefined
                  }
                }
                output: {
                  id: string
                  authorizeUrl: string
                  statusUrl: string
                  expiresAt: number
                  secret?: string | undefined
                }
                outputFormat: 'json'
                status: 201
              }
            }
          })
      ) & {
        '/:id': {
          $get: {
            input: {
              param: {
                id: string
              }
            } & {
              query: {
                wait?: string | string[] | undefined
                secret?: string | undefined
              }
            }
            output: {
              id: string
              kind: NonNullable<Session['kind']>
              status: PaymentSessionStatus
              bankId?: string | undefined
              userId?: string | undefined
              expiresAt: number
              error?: string | undefined
              errorDescription?: string | undefined
              payment?:
                | {
                    [x: string]: JSONValue | undefined
                    id: string
                    status: string
                    amount: number
                    payeeId?: string | undefined
                    payeeRef?: string | undefined
                    payerRef?: string | undefined
                    currency?: string | undefined
                    initiatedAt?: string | undefined
                    finalisedAt?: string | undefined
                  }
                | undefined
              paymentId?: string | undefined
              standingOrderId?: string | undefined
              recurringPaymentId?: string | undefined
              reversePaymentId?: string | undefined
            }
            outputFormat: 'json'
            status: ContentfulStatusCode
          }
        }
      }) & {
        '/:id/events': {
          $get:
            | {
                input: {
                  param: {
                    id: string
                  }
                }
                output: `event: status
data: ${string}

`
                outputFormat: 'body'
                status: ContentfulStatusCode
              }
            | {
                input: {
                  param: {
                    id: string
                  }
                }
                output: ReadableStream<Uint8Array<ArrayBufferLike>>
                outputFormat: 'body'
                status: ContentfulStatusCode
              }
        }
      },
      '/payments'
    >
  | MergeSchemaPath<
      {
        '/': {
          $post: {
            input: {
              json: {
                reference: string
                frequency: {
                  repeat: 'Daily' | 'Weekly' | 'Monthly'
                  day?: number | undefined
                  week?: number | undefined
                  onlyWorkDays?: boolean | undefined
                }
                firstPaymentAmount: number
                firstPaymentDate: string
                bankId: string
                userId?: string | undefined
                returnTo?: string | undefined
                numberOfPayments?: number | undefined
                recurringPaymentAmount?: number | undefined
                finalPaymentAmount?: number | undefined
                currency?: 'GBP' | undefined
                recurringPaymentDate?: string | undefined
                finalPaymentDate?: string | undefined
                payeeId?: string | undefined
                payee?:
                  | {
                      name: string
                      sortCode: string
                      accountNumber: string
                    }
                  | undefined
                payeeType?: 'api-payee' | 'mh-user-account' | undefined
                payerId?: string | undefined
                payerType?: 'mh-user-account' | 'api-payer' | undefined
                context?: 'BillPayment' | 'EcommerceGoods' | 'EcommerceServices' | 'Other' | 'PartyToParty' | undefined
              }
            }
            output: {
              id: string
              authorizeUrl: string
              statusUrl: string
              expiresAt: number
              secret?: string | undefined
            }
            outputFormat: 'json'
            status: 201
          }
        }
      },
      '/standing-orders'
    >
  | MergeSchemaPath<
      {
        '/': {
          $post: {
            input: {
              json: {
                maximumIndividualAmount: number
                periodicLimits: {
                  amount: number
                  periodType: 'Day' | 'Week' | 'Fortnight' | 'Month' | 'Half-year' | 'Year'
                  periodAlignment: 'Consent' | 'Calendar'
                  currency?: 'GBP' | undefined
                }[]
                type: ('Other' | 'Sweeping')[]
                bankId: string
                userId?: string | undefined
                returnTo?: string | undefined
                reference?: string | undefined
                validFromDate?: string | undefined
                validToDate?: string | undefined
                currency?: 'GBP' | undefined
                payeeId?: string | undefined
                payee?:
                  | {
                      name: string
                      sortCode: string
                      accountNumber: string
                    }
                  | undefined
                payeeType?: 'api-payee' | 'mh-user-account' | undefined
                payerId?: string | undefined
                payerType?: 'mh-user-account' | 'api-payer' | undefined
                context?: 'BillPayment' | 'EcommerceGoods' | 'EcommerceServices' | 'Other' | 'PartyToParty' | undefined
              }
            }
            output: {
              id: string
              authorizeUrl: string
              statusUrl: string
              expiresAt: number
              secret?: string | undefined
            }
            outputFormat: 'json'
            status: 201
          }
        }
      },
      '/recurring-payments'
    >
  | MergeSchemaPath<
      {
        '/.well-known/jwks.json': {
          $get: {
            input: {}
            output: {
              keys: {
                kty?: JWKKeyType | undefined
                alg?: (JWSAlgorithm | JWEKeyManagementAlgorithm | JWEContentEncryptionAlgorithm) | undefined
                key_ops?: string[] | undefined
                ext?: boolean | undefined
                use?: 'sig' | 'enc' | (string & {}) | undefined
                x5c?: string[] | undefined
                x5t?: string | undefined
                'x5t#S256'?: string | undefined
                x5u?: string | undefined
                kid?: string | undefined
                crv?: string | undefined
                d?: string | undefined
                dp?: string | undefined
                dq?: string | undefined
                e?: string | undefined
                k?: string | undefined
                n?: string | undefined
                p?: string | undefined
                q?: string | undefined
                qi?: string | undefined
                x?: string | undefined
                y?: string | undefined
                pub?: string | undefined
                priv?: string | undefined
                oth?:
                  | {
                      d?: string | undefined
                      r?: string | undefined
                      t?: string | undefined
                    }[]
                  | undefined
              }[]
            }
            outputFormat: 'json'
            status: ContentfulStatusCode
          }
        }
      },
      '/'
    >
  | MergeSchemaPath<
      {
        '/client.js': {
          $get:
            | {
                input: {}
                output: null
                outputFormat: 'body'
                status: 304
              }
            | {
                input: {}
                output: '// src/client/browser.ts\nvar ConnectError = class extends Error {\n  constructor(code, message, status) {\n    super(message);\n    this.code = code;\n    this.status = status;\n    this.name = "ConnectError";\n  }\n  code;\n  status;\n};\nvar pageLocation = () => globalThis.location;\nvar pageStorage = (options) => options.storage ?? globalThis.sessionStorage;\nvar secretKey = (id) => `moneyhub-connect:secret:${id}`;\nfunction sessionSecret(id, options = {}) {\n  return pageStorage(options)?.getItem(secretKey(id)) ?? void 0;\n}\nasync function call(options, path, init) {\n  const doFetch = options.fetch ?? fetch;\n  const response = await doFetch(new URL(path, options.baseUrl).href, init);\n  const body = await response.json().catch(() => ({}));\n  if (!response.ok) throw new ConnectError(body.error ?? "http_error", body.message ?? `HTTP ${response.status}`, response.status);\n  return body;\n}\nasync function connectBank(options) {\n  const started = await call(options, "/sessions", {\n    method: "POST",\n    headers: { "content-type": "application/json" },\n    body: JSON.stringify({\n      ...options.bankId ? { bankId: options.bankId } : {},\n      ...options.returnTo ? { returnTo: options.returnTo } : {}\n    })\n  });\n  if (started.secret) {\n    const storage = pageStorage(options);\n    if (!storage) throw new ConnectError("no_session_storage", "this runtime has no sessionStorage: pass `storage`", 0);\n    storage.setItem(secretKey(started.id), started.secret);\n  }\n  const navigate = options.navigate ?? ((url) => pageLocation().assign(url));\n  navigate(started.authorizeUrl);\n  return started;\n}\nfunction sessionFromReturn(url = pageLocation().href, options = {}) {\n  const params = new URL(url).searchParams;\n  const session = params.get("session");\n  const status = params.get("status");\n  if (!session || !status) return void 0;\n  if (!sessionSecret(session, options)) {\n    throw new ConnectError("session_not_started_here", "this page did not start that session: it may be someone else\\u2019s link", 403);\n  }\n  const error = params.get("error");\n  return { session, status, ...error ? { error } : {} };\n}\nasync function waitForStatus(id, options) {\n  const until = Date.now() + (options.timeoutSeconds ?? 120) * 1e3;\n  for (; ; ) {\n    const wait = Math.max(0, Math.min(25, Math.floor((until - Date.now()) / 1e3)));\n    const secret = sessionSecret(id, options);\n    const session = await call(options, `/sessions/${encodeURIComponent(id)}?wait=${wait}`, {\n      ...secret ? { headers: { "x-session-secret": secret } } : {}\n    });\n    if (session.status !== "pending" || wait === 0) return session;\n  }\n}\nexport {\n  ConnectError,\n  connectBank,\n  sessionFromReturn,\n  sessionSecret,\n  waitForStatus\n};\n'
                outputFormat: 'body'
                status: 200
              }
        }
      },
      '/'
    >
  | MergeSchemaPath<
      {
        '/favicon.ico': {
          $get: {
            input: {}
            output: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1d4ed8"/><path d="M4 8h8M8 4v8" stroke="#fff" stroke-width="2"/></svg>'
            outputFormat: 'body'
            status: 200
          }
        }
      },
      '/'
    >,
  '/',
  '/payments/:id/events'
>

/** The API's routes, for `hc<AppType>()` from hono/client. */
type AppType = typeof api

export { AppType }
