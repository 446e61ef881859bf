// Generated from src/index.ts by `npm run build:types` (scripts/build-types.mjs). Do not edit.
// test/node/types-build.test.mjs fails when this file is out of date.
import type { HonoBase } from 'hono/hono-base'
import type { BlankEnv, MergeSchemaPath } from 'hono/types'
import type { StatusCode, ContentfulStatusCode } from 'hono/utils/http-status'
import type { JWKKeyType, JWSAlgorithm, JWEKeyManagementAlgorithm, JWEContentEncryptionAlgorithm } from 'jose'
import type { JSONValue } from 'hono/utils/types'

type HealthMark = 'degraded' | 'failing' | 'ok'

/** What a payment kind's id_token said was made (payments/kinds.ts). */
declare const OUTCOME_IDS: readonly ['paymentId', 'standingOrderId', 'recurringPaymentId', 'reversePaymentId']

type OutcomeIds = Partial<Record<(typeof OUTCOME_IDS)[number], string>>

declare const KIND_NAMES: readonly ['connection', 'payment', 'standing_order', 'recurring_payment', 'reverse_payment']

type KindName = (typeof KIND_NAMES)[number]

/**
 * `authorised`: a payment kind's final success (a connection's is `connected`).
 * `confirming`: a payment kind's code was sent and the outcome is not known
 * (not final: reconciliation asks Moneyhub, docs/reconciliation.md).
 * `revoked`: a VRP consent ended after it (payments/recurring.ts).
 */
type SessionStatus = 'authorised' | 'confirming' | 'connected' | 'expired' | 'failed' | 'pending' | 'revoked'

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
  /**
   * Why a payment kind is `confirming` (e.g. upstream_timeout), or, when
   * `authorised` without its id: `id_pending` (being looked for in Moneyhub's
   * records), `id_not_found` or `id_ambiguous` (docs/reconciliation.md).
   */
  reason?: string
  /**
   * A single payment, authorised: Moneyhub's final status of it (completed, rejected, cancelled, abandoned,
   * error:…), once the alarm has read it (payments/followStatus.ts). The session's status stays `authorised`.
   */
  moneyhubStatus?: string
}

type PaymentSessionStatus = 'authorised' | 'confirming' | 'expired' | 'failed' | 'pending' | 'revoked'

declare const api: HonoBase<
  BlankEnv,
  | MergeSchemaPath<
      ((
        | (MergeSchemaPath<
            {
              '/': {
                $post: {
                  output: {
                    id: string
                    authorizeUrl: string
                    statusUrl: string
                    expiresAt: number
                    secret?: string
                  }
                  outputFormat: 'json'
                  status: 201
                  input: {
                    json: {
                      payeeId?: string | undefined
                      payee?:
                        | undefined
                        | {
                            name: string
                            sortCode: string
                            accountNumber: string
                          }
                      payeeType?: 'api-payee' | 'mh-user-account' | undefined
                      context?: 'BillPayment' | 'Other' | 'PartyToParty' | undefined
                      payerId?: string | undefined
                      payerType?: 'api-payer' | 'mh-user-account' | undefined
                      payer?:
                        | undefined
                        | {
                            name: string
                            sortCode: string
                            accountNumber: string
                          }
                      userId?: string | undefined
                      returnTo?: string | undefined
                      bankId: string
                      amount: number
                      payerName?: string | undefined
                      payerEmail?: string | undefined
                      payeeRef: string
                      payerRef: string
                      readRefundAccount?: boolean | undefined
                    }
                  }
                }
              }
            },
            '/'
          > & {
            '/:id/reverse': {
              $post: {
                output: {
                  id: string
                  authorizeUrl: string
                  statusUrl: string
                  expiresAt: number
                  secret?: string
                }
                outputFormat: 'json'
                status: 201
                input: {
                  param: {
                    id: string
                  }
                } & {
                  json: {
                    payerId?: string | undefined
                    payerType?: 'api-payer' | 'mh-user-account' | undefined
                    payer?:
                      | undefined
                      | {
                          name: string
                          sortCode: string
                          accountNumber: string
                        }
                    userId?: string | undefined
                    returnTo?: string | undefined
                    bankId: string
                    amount?: number | undefined
                  }
                }
              }
            }
          })
        | {
            '/:id/reverse': {
              $post: {
                output: {
                  id: string
                  authorizeUrl: string
                  statusUrl: string
                  expiresAt: number
                  secret?: string
                }
                outputFormat: 'json'
                status: 201
                input: {
                  param: {
                    id: string
                  }
                } & {
                  json: {
                    payerId?: string | undefined
                    payerType?: 'api-payer' | 'mh-user-account' | undefined
                    payer?:
                      | undefined
                      | {
                          name: string
                          sortCode: string
                          accountNumber: string
                        }
                    userId?: string | undefined
                    returnTo?: string | undefined
                    bankId: string
                    amount?: number | undefined
                  }
                }
              }
            }
          }
      ) & {
        '/:id': {
          $get: {
            output: {
              id: string
              kind: NonNullable<Session['kind']>
              status: PaymentSessionStatus
              bankId?: string
              userId?: string
              expiresAt: number
              error?: string
              errorDescription?: string
              reason?: string
              moneyhubStatus?: string
              payment?:
                | undefined
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
                    isReversible?: boolean | undefined
                  }
              paymentId?: string | undefined
              recurringPaymentId?: string | undefined
              reversePaymentId?: string | undefined
              standingOrderId?: string | undefined
            }
            outputFormat: 'json'
            status: ContentfulStatusCode
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
          }
        }
      }) & {
        '/:id/events': {
          $get:
            | {
                output: ReadableStream<Uint8Array<ArrayBufferLike>>
                outputFormat: 'body'
                status: ContentfulStatusCode
                input: {
                  param: {
                    id: string
                  }
                }
              }
            | {
                output: `event: status
data: ${string}

`
                outputFormat: 'body'
                status: ContentfulStatusCode
                input: {
                  param: {
                    id: string
                  }
                }
              }
        }
      },
      '/payments'
    >
  | MergeSchemaPath<
      {
        '/': {
          $get:
            | {
                output: null
                outputFormat: 'body'
                status: 304
                input: {
                  query: {
                    type?: 'all' | 'api' | 'beta' | 'legacy' | 'payments' | 'test' | undefined
                  }
                }
              }
            | {
                output: string
                outputFormat: 'body'
                status: 200
                input: {
                  query: {
                    type?: 'all' | 'api' | 'beta' | 'legacy' | 'payments' | 'test' | undefined
                  }
                }
              }
        }
      },
      '/banks'
    >
  | MergeSchemaPath<
      {
        '/': {
          $get: {
            output: undefined
            outputFormat: 'redirect'
            status: 303
            input: {
              query: {
                bankId?: string | undefined
                returnTo?: string | undefined
              }
            }
          }
        }
      },
      '/connect'
    >
  | MergeSchemaPath<
      {
        '/': {
          $get: {
            output: {
              data: JSONValue[]
              links: {
                self: string
                next?: string | undefined
                prev?: string | undefined
              }
              meta: {
                [x: string]: JSONValue | undefined
                total?: number | undefined
                limit?: number | undefined
                offset?: number | undefined
              }
            }
            outputFormat: 'json'
            status: ContentfulStatusCode
            input: {
              query:
                | {
                    limit?: string | string[] | undefined
                    offset?: string | string[] | undefined
                    userId?: string | undefined
                    hasUserId?: 'false' | 'true' | undefined
                  }
                | {
                    limit?: string | string[] | undefined
                    offset?: string | string[] | undefined
                    userId?: string | undefined
                    payeeId?: string | undefined
                    startDate?: string | undefined
                    endDate?: string | undefined
                  }
                | {
                    limit?: string | string[] | undefined
                    offset?: string | string[] | undefined
                    userId?: string | undefined
                    payeeId?: string | undefined
                    startDate?: string | undefined
                    endDate?: string | undefined
                  }
                | {
                    limit?: string | string[] | undefined
                    offset?: string | string[] | undefined
                    userId?: string | undefined
                    payeeId?: string | undefined
                    startDate?: string | undefined
                    endDate?: string | undefined
                  }
            }
          }
        }
      },
      '/payees'
    >
  | MergeSchemaPath<
      {
        '/': {
          $get: {
            output: {
              data: JSONValue[]
              links: {
                self: string
                next?: string | undefined
                prev?: string | undefined
              }
              meta: {
                [x: string]: JSONValue | undefined
                total?: number | undefined
                limit?: number | undefined
                offset?: number | undefined
              }
            }
            outputFormat: 'json'
            status: ContentfulStatusCode
            input: {
              query:
                | {
                    limit?: string | string[] | undefined
                    offset?: string | string[] | undefined
                    userId?: string | undefined
                    hasUserId?: 'false' | 'true' | undefined
                  }
                | {
                    limit?: string | string[] | undefined
                    offset?: string | string[] | undefined
                    userId?: string | undefined
                    payeeId?: string | undefined
                    startDate?: string | undefined
                    endDate?: string | undefined
                  }
                | {
                    limit?: string | string[] | undefined
                    offset?: string | string[] | undefined
                    userId?: string | undefined
                    payeeId?: string | undefined
                    startDate?: string | undefined
                    endDate?: string | undefined
                  }
                | {
                    limit?: string | string[] | undefined
                    offset?: string | string[] | undefined
                    userId?: string | undefined
                    payeeId?: string | undefined
                    startDate?: string | undefined
                    endDate?: string | undefined
                  }
            }
          }
        }
      },
      '/payments'
    >
  | MergeSchemaPath<
      {
        '/': {
          $get: {
            output: {
              data: JSONValue[]
              links: {
                self: string
                next?: string | undefined
                prev?: string | undefined
              }
              meta: {
                [x: string]: JSONValue | undefined
                total?: number | undefined
                limit?: number | undefined
                offset?: number | undefined
              }
            }
            outputFormat: 'json'
            status: ContentfulStatusCode
            input: {
              query:
                | {
                    limit?: string | string[] | undefined
                    offset?: string | string[] | undefined
                    userId?: string | undefined
                    hasUserId?: 'false' | 'true' | undefined
                  }
                | {
                    limit?: string | string[] | undefined
                    offset?: string | string[] | undefined
                    userId?: string | undefined
                    payeeId?: string | undefined
                    startDate?: string | undefined
                    endDate?: string | undefined
                  }
                | {
                    limit?: string | string[] | undefined
                    offset?: string | string[] | undefined
                    userId?: string | undefined
                    payeeId?: string | undefined
                    startDate?: string | undefined
                    endDate?: string | undefined
                  }
                | {
                    limit?: string | string[] | undefined
                    offset?: string | string[] | undefined
                    userId?: string | undefined
                    payeeId?: string | undefined
                    startDate?: string | undefined
                    endDate?: string | undefined
                  }
            }
          }
        }
      },
      '/recurring-payments'
    >
  | MergeSchemaPath<
      {
        '/': {
          $get: {
            output: {
              data: JSONValue[]
              links: {
                self: string
                next?: string | undefined
                prev?: string | undefined
              }
              meta: {
                [x: string]: JSONValue | undefined
                total?: number | undefined
                limit?: number | undefined
                offset?: number | undefined
              }
            }
            outputFormat: 'json'
            status: ContentfulStatusCode
            input: {
              query:
                | {
                    limit?: string | string[] | undefined
                    offset?: string | string[] | undefined
                    userId?: string | undefined
                    hasUserId?: 'false' | 'true' | undefined
                  }
                | {
                    limit?: string | string[] | undefined
                    offset?: string | string[] | undefined
                    userId?: string | undefined
                    payeeId?: string | undefined
                    startDate?: string | undefined
                    endDate?: string | undefined
                  }
                | {
                    limit?: string | string[] | undefined
                    offset?: string | string[] | undefined
                    userId?: string | undefined
                    payeeId?: string | undefined
                    startDate?: string | undefined
                    endDate?: string | undefined
                  }
                | {
                    limit?: string | string[] | undefined
                    offset?: string | string[] | undefined
                    userId?: string | undefined
                    payeeId?: string | undefined
                    startDate?: string | undefined
                    endDate?: string | undefined
                  }
            }
          }
        }
      },
      '/standing-orders'
    >
  | MergeSchemaPath<
      {
        '/': {
          $get: {
            output: {
              generatedAt: number
              thresholds: {
                minAttempts: number
                degradedBelowPercent: number
                failingBelowPercent: number
                markMaxAgeSeconds: number
              }
              banks: {
                bank: string
                lastHour: {
                  started: number
                  opened: number
                  returned: number
                  connected: number
                  authorised: number
                  failed: number
                  lapsed: number
                  errors: {
                    [x: string]: number
                  }
                  attempts: number
                  successRate: null | number
                  medianReturnMs: null | number
                  p95ReturnMs: null | number
                }
                last24h: {
                  started: number
                  opened: number
                  returned: number
                  connected: number
                  authorised: number
                  failed: number
                  lapsed: number
                  errors: {
                    [x: string]: number
                  }
                  attempts: number
                  successRate: null | number
                  medianReturnMs: null | number
                  p95ReturnMs: null | number
                }
                lastSuccessAt: null | number
                hours: {
                  hour: number
                  attempts: number
                  successes: number
                  failed: number
                  lapsed: number
                }[]
                group: boolean
                mark: HealthMark | null
              }[]
              omitted: number
            }
            outputFormat: 'json'
            status: ContentfulStatusCode
            input: {}
          }
        }
      },
      '/banks/health'
    >
  | MergeSchemaPath<
      {
        '/': {
          $get: {
            output: {
              sessions: {
                id: string
                kind: NonNullable<Session['kind']>
                status: SessionStatus
                reason?: string
                since: number
                nextLookAt: number
                looks: number
              }[]
              cursor?: string
            }
            outputFormat: 'json'
            status: ContentfulStatusCode
            input: {
              query: {
                limit?: string | string[] | undefined
                cursor?: string | undefined
              }
            }
          }
        }
      } & {
        '/:id/settle': {
          $post: {
            output: {
              id: string
              kind?: Exclude<KindName, 'connection'>
              status: SessionStatus
              bankId?: string
              userId?: string
              connectionId?: string
              scope?: string
              expiresAt: number
              refreshableUntil?: number
              error?: string
              errorDescription?: string
              reason?: string
              moneyhubStatus?: string
              paymentId?: string | undefined
              recurringPaymentId?: string | undefined
              reversePaymentId?: string | undefined
              standingOrderId?: string | undefined
            }
            outputFormat: 'json'
            status: ContentfulStatusCode
            input: {
              param: {
                id: string
              }
            } & {
              json: {
                paymentId?: string | undefined
                standingOrderId?: string | undefined
                recurringPaymentId?: string | undefined
                notMade?: true | undefined
              }
            }
          }
        }
      },
      '/unresolved-sessions'
    >
  | MergeSchemaPath<
      {
        '/': {
          $get: {
            output: {}
            outputFormat: string
            status: StatusCode
            input: {
              param: {
                id: string
              }
            } & {
              query: {
                ticket: string
              }
            }
          }
        }
      },
      '/sessions/:id/authorize'
    >
  | MergeSchemaPath<
      {
        '/': {
          $get: {
            output: {}
            outputFormat: string
            status: StatusCode
            input: {
              query: {
                state: string
                code?: string | undefined
                iss?: string | undefined
                error?: string | undefined
                error_description?: string | undefined
              }
            }
          }
        }
      } & {
        '/': {
          $post: {
            output: {}
            outputFormat: string
            status: StatusCode
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
          }
        }
      },
      '/callback'
    >
  | MergeSchemaPath<
      {
        '/': {
          $post: {
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
            input: {
              json: {
                name: string
                sortCode: string
                accountNumber: string
                externalId?: string | undefined
                userId?: string | undefined
              }
            }
          }
        }
      },
      '/payees'
    >
  | MergeSchemaPath<
      {
        '/': {
          $post: {
            output: {
              [x: string]: JSONValue | undefined
              userId: string
              clientUserId?: null | string | undefined
            }
            outputFormat: 'json'
            status: 201
            input: {
              json: {
                clientUserId?: string | undefined
              }
            }
          }
        }
      } & {
        '/:userId': {
          $get: {
            output: {
              [x: string]: JSONValue | undefined
              userId: string
              clientUserId?: null | string | undefined
            }
            outputFormat: 'json'
            status: ContentfulStatusCode
            input: {
              param: {
                userId: string
              }
            }
          }
        }
      } & {
        '/:userId': {
          $delete: {
            output: null
            outputFormat: 'body'
            status: 204
            input: {
              param: {
                userId: string
              }
            }
          }
        }
      },
      '/users'
    >
  | MergeSchemaPath<
      {
        '/': {
          $post: {
            output: {
              access_token: string
              token_type: 'Bearer'
              scope: string
              expires_at: number
            }
            outputFormat: 'json'
            status: ContentfulStatusCode
            input: {
              json: {
                scopes: string[]
                userId?: string | undefined
              }
            }
          }
        }
      },
      '/tokens'
    >
  | MergeSchemaPath<
      {
        '/': {
          $post: {
            output: {
              id: string
              authorizeUrl: string
              statusUrl: string
              expiresAt: number
              secret?: string | undefined
            }
            outputFormat: 'json'
            status: 201
            input: {
              json: {
                bankId?: string | undefined
                returnTo?: string | undefined
                userId?: string | undefined
                connectionId?: string | undefined
                action?: 'reauth' | 'reconsent' | 'refresh' | undefined
                offlineAccess?: boolean | undefined
                consent?:
                  | undefined
                  | {
                      permissions?: string[] | undefined
                      permissionsAction?: 'add' | 'replace' | undefined
                      expirationDateTime?: string | undefined
                      transactionFromDateTime?: string | undefined
                    }
                enableAsync?: boolean | undefined
                accountVerification?: boolean | undefined
                dataScopes?: string[] | undefined
                categoryType?: 'business' | 'personal' | undefined
              }
            }
          }
        }
      } & {
        '/:id': {
          $get: {
            output: {
              id: string
              kind?: Exclude<KindName, 'connection'>
              status: SessionStatus
              bankId?: string
              userId?: string
              connectionId?: string
              scope?: string
              expiresAt: number
              refreshableUntil?: number
              error?: string
              errorDescription?: string
              reason?: string
              moneyhubStatus?: string
              paymentId?: string | undefined
              recurringPaymentId?: string | undefined
              reversePaymentId?: string | undefined
              standingOrderId?: string | undefined
            }
            outputFormat: 'json'
            status: ContentfulStatusCode
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
          }
        }
      } & {
        '/:id/events': {
          $get:
            | {
                output: ReadableStream<Uint8Array<ArrayBufferLike>>
                outputFormat: 'body'
                status: ContentfulStatusCode
                input: {
                  param: {
                    id: string
                  }
                }
              }
            | {
                output: `event: status
data: ${string}

`
                outputFormat: 'body'
                status: ContentfulStatusCode
                input: {
                  param: {
                    id: string
                  }
                }
              }
        }
      } & {
        '/:id/tokens': {
          $get: {
            output: {
              access_token: string
              id_token: string
              refresh_token?: string
              token_type: 'Bearer'
              scope: string
              expires_at: number
            }
            outputFormat: 'json'
            status: ContentfulStatusCode
            input: {
              param: {
                id: string
              }
            }
          }
        }
      } & {
        '/:id/refresh': {
          $post: {
            output: {
              id: string
              kind?: Exclude<KindName, 'connection'>
              status: SessionStatus
              bankId?: string
              userId?: string
              connectionId?: string
              scope?: string
              expiresAt: number
              refreshableUntil?: number
              error?: string
              errorDescription?: string
              reason?: string
              moneyhubStatus?: string
              paymentId?: string | undefined
              recurringPaymentId?: string | undefined
              reversePaymentId?: string | undefined
              standingOrderId?: string | undefined
            }
            outputFormat: 'json'
            status: ContentfulStatusCode
            input: {
              param: {
                id: string
              }
            }
          }
        }
      } & {
        '/:id': {
          $delete:
            | {
                output: null
                outputFormat: 'body'
                status: 204
                input: {
                  param: {
                    id: string
                  }
                }
              }
            | {
                output: {
                  id: string
                  deleted: true
                  revoked: false
                  error: string | undefined
                }
                outputFormat: 'json'
                status: 200
                input: {
                  param: {
                    id: string
                  }
                }
              }
        }
      },
      '/sessions'
    >
  | MergeSchemaPath<
      {
        '/': {
          $post: {
            output: {
              id: string
              authorizeUrl: string
              statusUrl: string
              expiresAt: number
              secret?: string
            }
            outputFormat: 'json'
            status: 201
            input: {
              json: {
                payeeId?: string | undefined
                payee?:
                  | undefined
                  | {
                      name: string
                      sortCode: string
                      accountNumber: string
                    }
                payeeType?: 'api-payee' | 'mh-user-account' | undefined
                context?: 'BillPayment' | 'Other' | 'PartyToParty' | undefined
                payerId?: string | undefined
                payerType?: 'mh-user-account' | undefined
                userId?: string | undefined
                returnTo?: string | undefined
                bankId: string
                reference: string
                frequency: {
                  repeat: 'Daily' | 'Monthly' | 'Quarterly' | 'Weekly' | 'Yearly'
                  day?: number | undefined
                  week?: number | undefined
                  month?: number | undefined
                  onlyWorkDays?: boolean | undefined
                }
                numberOfPayments?: number | undefined
                firstPaymentAmount: number
                recurringPaymentAmount?: number | undefined
                finalPaymentAmount?: number | undefined
                currency?: 'GBP' | undefined
                firstPaymentDate: string
                recurringPaymentDate?: string | undefined
                finalPaymentDate?: string | undefined
              }
            }
          }
        }
      },
      '/standing-orders'
    >
  | MergeSchemaPath<
      {
        '/': {
          $post: {
            output: {
              id: string
              authorizeUrl: string
              statusUrl: string
              expiresAt: number
              secret?: string
            }
            outputFormat: 'json'
            status: 201
            input: {
              json: {
                payeeId?: string | undefined
                payee?:
                  | undefined
                  | {
                      name: string
                      sortCode: string
                      accountNumber: string
                    }
                payeeType?: 'api-payee' | 'mh-user-account' | undefined
                context?: 'BillPayment' | 'Other' | 'PartyToParty' | undefined
                payerId?: string | undefined
                payerType?: 'mh-user-account' | undefined
                userId?: string | undefined
                returnTo?: string | undefined
                bankId: string
                reference?: string | undefined
                validFromDate?: string | undefined
                validToDate?: string | undefined
                maximumIndividualAmount: number
                currency?: 'GBP' | undefined
                periodicLimits: {
                  amount: number
                  currency?: 'GBP' | undefined
                  periodType: 'Day' | 'Fortnight' | 'Half-year' | 'Month' | 'Week' | 'Year'
                  periodAlignment: 'Calendar' | 'Consent'
                }[]
                type?: 'Other' | 'Sweeping' | ('Other' | 'Sweeping')[] | undefined
              }
            }
          }
        }
      },
      '/recurring-payments'
    >
  | MergeSchemaPath<
      {
        '/.well-known/jwks.json': {
          $get: {
            output: {
              keys: {
                kty?: JWKKeyType
                alg?: JWEContentEncryptionAlgorithm | JWEKeyManagementAlgorithm | JWSAlgorithm
                key_ops?: string[]
                ext?: boolean
                use?: 'enc' | 'sig' | (string & {})
                x5c?: string[]
                x5t?: string
                'x5t#S256'?: string
                x5u?: string
                kid?: string
                crv?: string
                d?: string
                dp?: string
                dq?: string
                e?: string
                k?: string
                n?: string
                p?: string
                q?: string
                qi?: string
                x?: string
                y?: string
                pub?: string
                priv?: string
                oth?:
                  | undefined
                  | {
                      d?: string
                      r?: string
                      t?: string
                    }[]
              }[]
            }
            outputFormat: 'json'
            status: ContentfulStatusCode
            input: {}
          }
        }
      },
      '/'
    >
  | MergeSchemaPath<
      {
        '/:id/pay': {
          $post: {
            output:
              | {
                  error: string
                  message: string
                }
              | {
                  id: string
                  recurringPaymentId: string
                  status: 'confirming' | 'made'
                  paymentId?: string
                  paymentSubmissionId?: string
                  moneyhubStatus?: string
                  providerStatus?: string
                  payment?:
                    | undefined
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
                        isReversible?: boolean | undefined
                      }
                  reason?: string
                }
            outputFormat: 'json'
            status: 201 | 202 | 422
            input: {
              param: {
                id: string
              }
            } & {
              json: {
                amount: number
                payeeRef: string
                payerRef: string
                payeeId?: string | undefined
              }
            }
          }
        }
      } & {
        '/:id/funds-confirmation': {
          $post: {
            output: {
              fundsAvailable: boolean
              fundsAvailableAt?: string
              amount: number
              currency: string
              recurringPaymentId: string
            }
            outputFormat: 'json'
            status: ContentfulStatusCode
            input: {
              param: {
                id: string
              }
            } & {
              json: {
                amount: number
                currency: 'GBP'
              }
            }
          }
        }
      } & {
        '/:id': {
          $delete: {
            output: {
              id: string
              kind: NonNullable<Session['kind']>
              status: PaymentSessionStatus
              bankId?: string
              userId?: string
              expiresAt: number
              error?: string
              errorDescription?: string
              reason?: string
              moneyhubStatus?: string
              payment?:
                | undefined
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
                    isReversible?: boolean | undefined
                  }
              paymentId?: string | undefined
              recurringPaymentId?: string | undefined
              reversePaymentId?: string | undefined
              standingOrderId?: string | undefined
            }
            outputFormat: 'json'
            status: ContentfulStatusCode
            input: {
              param: {
                id: string
              }
            }
          }
        }
      } & {
        '/:id': {
          $get: {
            output: {
              id: string
              kind: NonNullable<Session['kind']>
              status: PaymentSessionStatus
              bankId?: string
              userId?: string
              expiresAt: number
              error?: string
              errorDescription?: string
              reason?: string
              moneyhubStatus?: string
              payment?:
                | undefined
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
                    isReversible?: boolean | undefined
                  }
              consent?:
                | undefined
                | {
                    [x: string]: JSONValue | undefined
                    id?: string | undefined
                    status?: string | undefined
                    createdAt?: string | undefined
                    recurringPayment?:
                      | undefined
                      | {
                          [x: string]: JSONValue
                        }
                    paymentSubmissionId?: string | undefined
                    providerStatus?: string | undefined
                    submittedAt?: string | undefined
                    authRequestId?: string | undefined
                    revokedAt?: string | undefined
                  }
              payments: {
                status: 'confirming' | 'made'
                paymentId?: string
                paymentSubmissionId?: string
                amount: number
                payeeRef: string
                payerRef: string
                createdAt: number
                reason?: string
              }[]
              paymentId?: string | undefined
              recurringPaymentId?: string | undefined
              reversePaymentId?: string | undefined
              standingOrderId?: string | undefined
            }
            outputFormat: 'json'
            status: ContentfulStatusCode
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
          }
        }
      } & {
        '/:id/events': {
          $get:
            | {
                output: ReadableStream<Uint8Array<ArrayBufferLike>>
                outputFormat: 'body'
                status: ContentfulStatusCode
                input: {
                  param: {
                    id: string
                  }
                }
              }
            | {
                output: `event: status
data: ${string}

`
                outputFormat: 'body'
                status: ContentfulStatusCode
                input: {
                  param: {
                    id: string
                  }
                }
              }
        }
      },
      '/recurring-payments'
    >
  | MergeSchemaPath<
      {
        '/client.js': {
          $get:
            | {
                output: string
                outputFormat: 'body'
                status: 200
                input: {}
              }
            | {
                output: null
                outputFormat: 'body'
                status: 304
                input: {}
              }
        }
      },
      '/'
    >
  | MergeSchemaPath<
      {
        '/dashboard': {
          $get: {
            output: {}
            outputFormat: string
            status: StatusCode
            input: {}
          }
        }
      },
      '/'
    >
  | MergeSchemaPath<
      {
        '/favicon.ico': {
          $get: {
            output: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1d4ed8"/><path d="M4 8h8M8 4v8" stroke="#fff" stroke-width="2"/></svg>'
            outputFormat: 'body'
            status: 200
            input: {}
          }
        }
      },
      '/'
    >
  | {
      '/health': {
        $get: {
          output: {
            status: 'ok'
          }
          outputFormat: 'json'
          status: ContentfulStatusCode
          input: {}
        }
      }
    },
  '/',
  '/recurring-payments/:id/events'
>

/** The API's routes, for `hc<AppType>()` from hono/client. */
type AppType = typeof api

export { AppType }
