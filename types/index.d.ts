// Generated from src/index.ts by `npm run build:types` (scripts/build-types.mjs). Do not edit.
// test/node/types-build.test.mjs fails when this file is out of date.
import type { HonoBase } from 'hono/hono-base'
import type { BlankEnv, MergeSchemaPath } from 'hono/types'
import type { StatusCode, ContentfulStatusCode } from 'hono/utils/http-status'
import type { JWKKeyType, JWSAlgorithm, JWEKeyManagementAlgorithm, JWEContentEncryptionAlgorithm, JWTPayload } from 'jose'
import type { JSONValue } from 'hono/utils/types'

type HealthMark = 'degraded' | 'failing' | 'ok'

/** Who made the payment, as every payment id_token says. */
interface PayerOutcome {
  /** The id_token's sub. */
  userId: string
  /** The id_token's mh:con_id: the payment connection at the bank. */
  connectionId?: string
}

/** What a kind may take from the configuration. */
interface KindDefaults {
  /** DEFAULT_BANK_SELECTOR, for a connection without a bankId. */
  defaultBankSelector: string
}

/** OIDC Core §5.5: the claims request, all under id_token. */
type ClaimsRequest = {
  id_token: Record<
    string,
    null | {
      essential?: boolean
      value?: unknown
    }
  >
}

interface IdTokenClaims extends JWTPayload {
  sub: string
  'mh:con_id'?: string
}

/** What the session asked for, that the id_token must not contradict (OIDC Core §5.5.1): the session record's fields. */
interface Asked {
  userId?: string | undefined
  connectionId?: string | undefined
}

interface SessionKind<Request, Outcome, Name extends string = string> {
  /** The session record's `kind` (registry.ts's key for it); stored, so never renamed. */
  readonly name: Name
  /** It pays: it ends `authorised`, keeps no token set, and its record names its kind (a connection's does not). */
  readonly pays: boolean
  /** The authorisation request's scope (OIDC Core §3.1.2.1; Moneyhub's scopes per flow). */
  scope(request: Request, defaults: KindDefaults): string
  /** The claims request (OIDC Core §5.5), all under id_token. */
  claims(request: Request): ClaimsRequest
  /**
   * What the id_token (already validated, OIDC Core §3.1.3.7) says was made.
   * Throws OidcError `id_token_<claim>_missing` when the claim the kind exists
   * for is absent or not an id, or `id_token_*_mismatch` when it contradicts `asked`.
   */
  outcomeFromIdToken(claims: IdTokenClaims, asked?: Asked): Outcome
  /** Fields of the session record the kind adds from its request (a refund: the payment it reverses). */
  recordFields?(request: Request): {
    reverses?: string
  }
}

/** The id fields a paying kind's outcome adds to the session (its answer's and its webhook's fields). */
type OutcomeField_2<Outcome> = Exclude<keyof Outcome, keyof PayerOutcome> & string

/** A record of one of Moneyhub's lists, or a request's claim value. */
type Item = Record<string, unknown>

/** A payee's account, as a payee record or a request gives it. */
interface PayeeDetails {
  name?: string
  sortCode?: string
  accountNumber?: string
}

interface MatchContext {
  /** The user the session knows (the request's userId, or a validated id_token's sub). */
  userId?: string
  /** Payee records read for this look (id → details; null: no such payee). */
  payees?: ReadonlyMap<string, PayeeDetails | null>
}

/** A verdict on one record: equal on every field (`exact`), unequal on one (`no`), or not provably either (`near`). */
type Verdict = 'exact' | 'near' | 'no'

/**
 * THE error table: every code the API can answer, its HTTP status and (in the comment beside it: comments stay out of
 * the deployed bundle) what it means. A throw site names a code only;
 * its status is chosen here and nowhere else (src/http/answerError.ts answers it). docs/api.md's "Error codes" table
 * lists every one with its status (test/node/error-codes-documented.test.mjs checks it). In the manner of oauth4webapi,
 * the set is closed and exported, and details go in `cause`.
 *
 * The `upstream` codes are src/oidc/'s protocol codes (OidcError): a session's `error` when its journey fails, and
 * answered with 502 when a request meets them.
 */
declare const ERRORS: {
  readonly invalid_request: 400
  readonly invalid_scope: 400
  readonly bank_not_listed: 400
  readonly return_to_not_allowed: 400
  readonly cursor_invalid: 400
  readonly settle_field_mismatch: 400
  readonly idempotency_key_required: 400
  readonly user_request_rejected: 400
  readonly token_request_rejected: 400
  readonly unauthorized: 401
  readonly origin_not_allowed: 403
  readonly backend_only: 403
  readonly session_secret_required: 403
  readonly method_not_allowed: 405
  readonly body_too_large: 413
  readonly unsupported_media_type: 415
  readonly rate_limited: 429
  readonly too_many_watchers: 429
  readonly not_found: 404
  readonly session_not_found: 404
  readonly payment_not_found: 404
  readonly recurring_payment_not_found: 404
  readonly standing_order_not_found: 404
  readonly pay_not_found: 404
  readonly user_not_found: 404
  readonly link_used: 409
  readonly not_refreshable: 409
  readonly session_not_connected: 409
  readonly tokens_unreadable: 409
  readonly outcome_unknown: 409
  readonly session_not_unresolved: 409
  readonly session_authorised: 409
  readonly moneyhub_id_held: 409
  readonly pay_not_unresolved: 409
  readonly record_kind_mismatch: 409
  readonly record_consent_mismatch: 409
  readonly record_amount_mismatch: 409
  readonly record_payee_ref_mismatch: 409
  readonly record_payer_ref_mismatch: 409
  readonly record_payee_mismatch: 409
  readonly record_time_mismatch: 409
  readonly record_user_mismatch: 409
  readonly record_payer_mismatch: 409
  readonly record_reversal_mismatch: 409
  readonly record_terms_mismatch: 409
  readonly refund_in_flight: 409
  readonly refund_exceeds_remaining: 409
  readonly payment_not_reversible: 409
  readonly consent_not_authorised: 409
  readonly consent_not_yet_valid: 409
  readonly consent_unverified: 409
  readonly session_deleted: 410
  readonly session_expired: 410
  readonly refresh_token_rejected: 410
  readonly consent_expired: 410
  readonly consent_revoked: 410
  readonly idempotency_key_reused: 422
  readonly amount_over_maximum: 422
  readonly payment_not_made: 422
  readonly recurring_payment_refused: 422
  readonly ticket_invalid: 400
  readonly state_unknown: 400
  readonly state_expired: 400
  readonly state_used: 400
  readonly browser_mismatch: 400
  readonly config_invalid: 500
  readonly internal_error: 500
  readonly http_error: 500
  readonly session_store_unavailable: 502
  readonly upstream_timeout: 502
  readonly upstream_unreachable: 502
  readonly upstream_invalid_response: 502
  readonly identity_request_failed: 502
  readonly identity_api_rejected: 502
  readonly identity_api_error: 502
  readonly token_request_failed: 502
  readonly token_endpoint_unavailable: 502
  readonly token_response_invalid: 502
  readonly refresh_outcome_unknown: 502
  readonly discovery_failed: 502
  readonly discovery_invalid: 502
  readonly discovery_issuer_mismatch: 502
  readonly discovery_endpoint_insecure: 502
  readonly discovery_endpoint_not_allowed: 502
  readonly jwks_unavailable: 502
  readonly par_rejected: 502
  readonly revocation_failed: 502
  readonly bank_list_unavailable: 502
  readonly bank_list_invalid: 502
  readonly iss_mismatch: 502
  readonly iss_missing: 502
  readonly code_missing: 502
  readonly id_token_missing: 502
  readonly id_token_invalid: 502
  readonly id_token_malformed: 502
  readonly id_token_alg_not_allowed: 502
  readonly id_token_key_unknown: 502
  readonly id_token_signature_invalid: 502
  readonly id_token_expired: 502
  readonly id_token_iat_too_old: 502
  readonly id_token_aud_untrusted: 502
  readonly id_token_azp_mismatch: 502
  readonly id_token_at_hash_mismatch: 502
  readonly id_token_c_hash_missing: 502
  readonly id_token_c_hash_mismatch: 502
  readonly id_token_s_hash_missing: 502
  readonly id_token_s_hash_mismatch: 502
  readonly id_token_nonce_missing: 502
  readonly id_token_nonce_mismatch: 502
  readonly id_token_sub_mismatch: 502
  readonly id_token_con_id_mismatch: 502
  readonly id_token_claim_invalid: 502
  readonly id_token_iss_missing: 502
  readonly id_token_iss_invalid: 502
  readonly id_token_sub_missing: 502
  readonly id_token_sub_invalid: 502
  readonly id_token_aud_missing: 502
  readonly id_token_aud_invalid: 502
  readonly id_token_exp_missing: 502
  readonly id_token_exp_invalid: 502
  readonly id_token_iat_missing: 502
  readonly id_token_iat_invalid: 502
  readonly id_token_nbf_invalid: 502
  readonly id_token_mh_con_id_missing: 502
  readonly id_token_mh_payment_missing: 502
  readonly id_token_mh_standing_order_missing: 502
  readonly id_token_mh_recurring_payment_missing: 502
  readonly id_token_mh_reverse_payment_missing: 502
}

/** Every code the API can answer. */
type ErrorCode = keyof typeof ERRORS

/** The field a record differs on, as the error table's code and words for a person. */
interface Difference {
  code: ErrorCode
  message: string
}

/** A journey that pays: what the session machine, reconciliation and the answers need of it besides its request. */
interface PaymentKind<Request, Outcome extends PayerOutcome, Name extends string = string> extends SessionKind<Request, Outcome, Name> {
  readonly pays: true
  /** The id_token claim that carries the request as its value (and names what was made): reconciliation matches that value. */
  readonly claim: string
  /** The session fields its id_token may fill: the ids in its status answer, its webhook and the OpenAPI document. */
  readonly outcomeFields: readonly OutcomeField_2<Outcome>[]
  /** The field the record found in `list` settles (reconciliation, or a person: payments/settle.ts). */
  readonly outcomeId: OutcomeField_2<Outcome>
  /** What a person settles it with, in words (`Moneyhub's id of the record that settles …`: the settle body's document). */
  readonly settledBy: string
  /** Where Moneyhub lists what it made (`GET {identity}<path>`), with which client-credentials scope. */
  readonly list: {
    readonly path: string
    readonly scope: string
  }
  /**
   * The kind's own part of the match rule (payments/reconciliation.ts `matches` adds the user, the payer and the
   * time window): `value` is the claim's value, `item` a listed record. `{ payee }`: read that payee, then ask again.
   */
  match(
    value: Item,
    item: Item,
    context: MatchContext,
  ):
    | Verdict
    | {
        payee: string
      }
  /**
   * The terms two sessions look alike on (payments/lookAlikes.ts); absent: a record never settles this kind by
   * likeness (reconciliation answers `unverified`).
   */
  likeness?(value: Item): unknown[]
  /**
   * Moneyhub's record of one (`GET {identity}<list.path>/:id`) as a person's settle reads it (payments/settleCheck.ts):
   * the code when Moneyhub has none; when `match` says no, the first of the kind's fields it differs on (undefined:
   * none named, answered record_terms_mismatch); and, where a record may carry none of the terms (6.x's VRP consent),
   * whether this one does not (nothing of them is compared then).
   */
  readonly notFound: ErrorCode
  difference?(value: Item, item: Item, payeeDiffers: (of: Item) => boolean): Difference | undefined
  withoutTerms?(item: Item): boolean
  /** Once authorised, a standing permission at Moneyhub (a VRP consent): kept while usable, revoked there before deletion. */
  readonly consent: boolean
  /**
   * After authorisation, Moneyhub's record of it keeps a status of its own (a payment's `GET /payments/:id`, a standing
   * order's `GET /standing-orders/:id`): followed from the alarm until final (payments/followStatus.ts).
   */
  readonly followed?: 'paymentStatus' | 'standingOrderStatus'
  /** A refund can reverse it (POST /payments/:id/reverse). */
  readonly reversible: boolean
}

interface PaymentOutcome extends PayerOutcome {
  paymentId: string
}

interface StandingOrderOutcome extends PayerOutcome {
  standingOrderId: string
}

interface RecurringPaymentOutcome extends PayerOutcome {
  recurringPaymentId: string
}

/** A refund: at least one of the two ids, each kept when the id_token gives it. */
interface ReversePaymentOutcome extends PayerOutcome {
  /** Moneyhub's id of the reverse payment, when the id_token carries mh:reverse_payment. */
  reversePaymentId?: string
  /** The refund's own payment (`GET {identity}/payments/:id`), when the id_token carries mh:payment. */
  paymentId?: string
}

/** The journeys that pay, by the name a session record stores. */
declare const PAYMENT_KINDS: {
  readonly payment: PaymentKind<
    {
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
    },
    PaymentOutcome,
    'payment'
  >
  readonly standing_order: PaymentKind<
    {
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
    },
    StandingOrderOutcome,
    'standing_order'
  >
  readonly recurring_payment: PaymentKind<
    {
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
    },
    RecurringPaymentOutcome,
    'recurring_payment'
  >
  readonly reverse_payment: PaymentKind<
    {
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
      paymentId: string
    },
    ReversePaymentOutcome,
    'reverse_payment'
  >
}

type PaymentKindName = keyof typeof PAYMENT_KINDS

/** The ids a paying kind's id_token may give: fields of the session, its status answer and its webhook. */
type OutcomeField = {
  [K in PaymentKindName]: (typeof PAYMENT_KINDS)[K]['outcomeFields'][number]
}[PaymentKindName]

type OutcomeIds = Partial<Record<OutcomeField, string>>

/**
 * `authorised`: a payment kind's final success (a connection's is `connected`).
 * `confirming`: a payment kind's code was sent and the outcome is not known
 * (not final: reconciliation asks Moneyhub, docs/reconciliation.md).
 * `revoked`: a VRP consent ended after it (payments/recurring.ts).
 */
type SessionStatus = 'authorised' | 'confirming' | 'connected' | 'expired' | 'failed' | 'pending' | 'revoked'

/** What the status API shows: never a token. */
/** What a payment kind's id_token said was made: the ids its kind names (kinds/registry.ts OUTCOME_IDS). */
interface Session extends OutcomeIds {
  id: string
  /** The session kind (kinds/registry.ts); absent for a connection. */
  kind?: PaymentKindName
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
   * A single payment or a standing order, authorised: Moneyhub's final status of its record (a payment: completed,
   * rejected, cancelled, abandoned, error:…; a standing order: InitiationCompleted, InitiationFailed, Cancelled), once
   * the alarm has read it (payments/followStatus.ts). The session's status stays `authorised`.
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
                pays?:
                  | undefined
                  | {
                      pay: string
                      reason?: string
                      since: number
                    }[]
                unresolvedPays?: number
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
          $post:
            | {
                output: {
                  id: string
                  kind?: PaymentKindName
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
                    notMade?: true | undefined
                    pay?: string | undefined
                    paymentId?: string | undefined
                    recurringPaymentId?: string | undefined
                    reversePaymentId?: string | undefined
                    standingOrderId?: string | undefined
                  }
                }
              }
            | {
                output: {
                  pay: string
                  status: 'confirming' | 'made' | 'not_made'
                  paymentId?: string
                  paymentSubmissionId?: string
                  amount: number
                  payeeRef: string
                  payerRef: string
                  createdAt: number
                  reason?: string
                  moneyhubStatus?: string
                  settled?:
                    | undefined
                    | {
                        by: 'backend'
                        at: number
                      }
                }
                outputFormat: 'json'
                status: ContentfulStatusCode
                input: {
                  param: {
                    id: string
                  }
                } & {
                  json: {
                    notMade?: true | undefined
                    pay?: string | undefined
                    paymentId?: string | undefined
                    recurringPaymentId?: string | undefined
                    reversePaymentId?: string | undefined
                    standingOrderId?: string | undefined
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
              kind?: PaymentKindName
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
              kind?: PaymentKindName
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
                pay: string
                status: 'confirming' | 'made' | 'not_made'
                paymentId?: string
                paymentSubmissionId?: string
                amount: number
                payeeRef: string
                payerRef: string
                createdAt: number
                reason?: string
                moneyhubStatus?: string
                settled?:
                  | undefined
                  | {
                      by: 'backend'
                      at: number
                    }
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
                output: null
                outputFormat: 'body'
                status: 304
                input: {}
              }
            | {
                output: string
                outputFormat: 'body'
                status: 200
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
