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
export const ERRORS = {
  // The request itself
  invalid_request: 400, // the body, query or a header is not what the route accepts
  invalid_scope: 400, // a data scope that may not be asked for (the message names it)
  bank_not_listed: 400, // bankId is not a bank of Moneyhub's published lists nor a group
  return_to_not_allowed: 400, // returnTo is not an absolute http(s) URL on one of ALLOWED_ORIGINS
  cursor_invalid: 400, // the cursor is not one a previous page gave
  settle_field_mismatch: 400, // the settling id field is not the session kind's
  idempotency_key_required: 400, // this route moves money: send an Idempotency-Key header
  user_request_rejected: 400, // Moneyhub's /users API refused the request's content
  token_request_rejected: 400, // the token endpoint refused the grant the caller's input made (an unknown user, a scope it may not have)
  unauthorized: 401, // no or a wrong Authorization: Bearer <BACKEND_API_KEY>
  origin_not_allowed: 403, // the Origin is not in ALLOWED_ORIGINS
  backend_only: 403, // a field or route only the backend (bearer key) may use
  session_secret_required: 403, // a browser's session call without the session's X-Session-Secret
  method_not_allowed: 405, // POST /callback answers the hybrid flow only
  body_too_large: 413, // the body is larger than the route accepts
  unsupported_media_type: 415, // the body is not sent as application/json
  rate_limited: 429, // too many requests from this address; try again in a minute
  too_many_watchers: 429, // too many status requests are open from this address

  // What the request is about
  not_found: 404, // no such route
  session_not_found: 404, // no session has this id (it may have expired or been deleted)
  payment_not_found: 404, // no payment session (or Moneyhub payment) has this id
  recurring_payment_not_found: 404, // no recurring payment consent has this id
  standing_order_not_found: 404, // Moneyhub has no standing order with this id
  pay_not_found: 404, // the consent has no pay with this reference (GET /recurring-payments/:id lists them)
  user_not_found: 404, // Moneyhub has no registered user with this id
  link_used: 409, // the authorisation link was already opened (in another browser, or completed)
  not_refreshable: 409, // the session has no refresh token (start it with offlineAccess: true)
  session_not_connected: 409, // the session is not connected
  tokens_unreadable: 409, // the token set cannot be decrypted with TOKEN_ENCRYPTION_KEY
  outcome_unknown: 409, // the session's outcome is not known yet (money may have moved): settle it first
  session_not_unresolved: 409, // its outcome is known: nothing to settle
  session_authorised: 409, // notMade for an authorised session: settle it with its id
  moneyhub_id_held: 409, // another session (or VRP pay) already holds this Moneyhub id
  pay_not_unresolved: 409, // the VRP pay's outcome is known: nothing to settle
  record_kind_mismatch: 409, // Moneyhub's record is not of the kind settled (a refund for a payment or pay, a payment for a refund)
  record_consent_mismatch: 409, // Moneyhub's record was made under another consent than the pay's
  record_amount_mismatch: 409, // Moneyhub's record is for another amount than the pay's or session's
  record_payee_ref_mismatch: 409, // Moneyhub's record has another payeeRef than the pay's or session's
  record_payer_ref_mismatch: 409, // Moneyhub's record has another payerRef than the pay's or session's
  record_payee_mismatch: 409, // Moneyhub's record pays another payee than the pay's or session's
  record_time_mismatch: 409, // Moneyhub's record was made outside the pay's or session's window (an earlier or later payment)
  record_user_mismatch: 409, // Moneyhub's record was made for another user than the session's
  record_payer_mismatch: 409, // Moneyhub's record names another payer than the session fixed
  record_reversal_mismatch: 409, // Moneyhub's record refunds another payment than the refund session's
  record_terms_mismatch: 409, // Moneyhub's record has other terms than the session (a reference, a date, a frequency, a payee type)
  refund_in_flight: 409, // another refund of this payment is not settled yet
  refund_exceeds_remaining: 409, // the refund is more than what remains of the payment
  payment_not_reversible: 409, // the payment cannot be refunded (not a completed, reversible payment)
  consent_not_authorised: 409, // the recurring payment consent is not authorised
  consent_not_yet_valid: 409, // the recurring payment consent's validity has not started
  consent_unverified: 409, // Moneyhub's record of the consent could not be checked against its terms
  session_deleted: 410, // the session was deleted (or cancelled)
  session_expired: 410, // the session (its link, or its tokens) has expired
  refresh_token_rejected: 410, // the identity server refused the refresh token: the session has expired
  consent_expired: 410, // the recurring payment consent has expired
  consent_revoked: 410, // the recurring payment consent was revoked
  idempotency_key_reused: 422, // this Idempotency-Key was used with another request body
  amount_over_maximum: 422, // the amount is over the consent's maximum for one payment
  payment_not_made: 422, // Moneyhub has no record of the payment after its window: it was not made
  recurring_payment_refused: 422, // Moneyhub refused the payment under the consent (a limit, the consent)

  // The browser's return (/callback, /sessions/:id/authorize, /connect)
  ticket_invalid: 400, // the authorisation link is not valid
  state_unknown: 400, // the state does not belong to any session
  state_expired: 400, // the session expired before the user came back
  state_used: 400, // the callback was already answered; the outcome is the session status
  browser_mismatch: 400, // the callback did not come from the browser that started the connection

  // The Worker
  config_invalid: 500, // the Worker is misconfigured (every problem is listed)
  internal_error: 500, // something went wrong on our side (logged, never described)
  http_error: 500, // a framework error without a code of its own: answered with the framework's status
  session_store_unavailable: 502, // the session could not be stored just now; retry with the same Idempotency-Key

  // Upstream: Moneyhub's identity server and APIs
  upstream_timeout: 502, // the identity server did not answer in time
  upstream_unreachable: 502, // the identity server could not be reached
  upstream_invalid_response: 502, // the identity server answered something unusable
  identity_request_failed: 502, // Moneyhub's /users API failed
  identity_api_rejected: 502, // Moneyhub's API refused the Worker's request
  identity_api_error: 502, // Moneyhub's API answered an error
  token_request_failed: 502, // the token endpoint refused the Worker's own request
  token_endpoint_unavailable: 502, // the token endpoint answered a 5xx
  token_response_invalid: 502, // the token response lacks or has invalid fields
  refresh_outcome_unknown: 502, // the refresh was sent and not answered in time: the refresh token may be spent
  discovery_failed: 502, // the discovery endpoint answered an error
  discovery_invalid: 502, // the discovery document lacks or has invalid fields
  discovery_issuer_mismatch: 502, // the discovery document names another issuer than MONEYHUB_ISSUER
  discovery_endpoint_insecure: 502, // an endpoint of the discovery document is not https
  discovery_endpoint_not_allowed: 502, // an endpoint of the discovery document is not on the issuer's host
  jwks_unavailable: 502, // the issuer's JWKS could not be fetched or read
  par_rejected: 502, // the pushed authorization request was refused
  revocation_failed: 502, // the revocation endpoint answered an error
  bank_list_unavailable: 502, // Moneyhub's bank list answered an error, and no copy is cached
  bank_list_invalid: 502, // Moneyhub's bank list is not a JSON array, and no copy is cached

  // Upstream: the authorisation response and its id_token (OIDC Core §3.1.3.7, §3.3.2.12)
  iss_mismatch: 502, // the authorisation response comes from another issuer
  iss_missing: 502, // the authorisation response has no iss though the issuer promises one
  code_missing: 502, // the authorisation response has neither code nor error
  id_token_missing: 502, // the hybrid authorisation response has no id_token
  id_token_invalid: 502, // the id_token could not be validated
  id_token_malformed: 502, // the id_token is not a valid signed JWT
  id_token_alg_not_allowed: 502, // the id_token is signed with an algorithm that is not allowed
  id_token_key_unknown: 502, // no key of the issuer matches the id_token
  id_token_signature_invalid: 502, // the id_token signature does not verify
  id_token_expired: 502, // the id_token has expired
  id_token_iat_too_old: 502, // the id_token was issued too long ago
  id_token_aud_untrusted: 502, // the id_token is also meant for another audience
  id_token_azp_mismatch: 502, // the id_token azp is not this client
  id_token_at_hash_mismatch: 502, // the id_token at_hash does not match the access token
  id_token_c_hash_missing: 502, // the front-channel id_token has no c_hash
  id_token_c_hash_mismatch: 502, // the id_token c_hash does not match the code
  id_token_s_hash_missing: 502, // the front-channel id_token has no s_hash
  id_token_s_hash_mismatch: 502, // the id_token s_hash does not match the state
  id_token_nonce_missing: 502, // the id_token has no nonce
  id_token_nonce_mismatch: 502, // the id_token nonce is not the one sent
  id_token_sub_mismatch: 502, // the id_token is for another user than the one asked for
  id_token_con_id_mismatch: 502, // the id_token is for another connection than the one asked for
  id_token_claim_invalid: 502, // a claim of the id_token is not an id (or not a string)
  // A claim jose finds missing or not acceptable (requiredClaims, issuer, audience, nbf, iat).
  id_token_iss_missing: 502, // the id_token has no iss
  id_token_iss_invalid: 502, // the id_token iss is not the issuer
  id_token_sub_missing: 502, // the id_token has no sub
  id_token_sub_invalid: 502, // the id_token sub is not acceptable
  id_token_aud_missing: 502, // the id_token has no aud
  id_token_aud_invalid: 502, // the id_token aud is not this client
  id_token_exp_missing: 502, // the id_token has no exp
  id_token_exp_invalid: 502, // the id_token exp is not acceptable
  id_token_iat_missing: 502, // the id_token has no iat
  id_token_iat_invalid: 502, // the id_token iat is not acceptable (in the future)
  id_token_nbf_invalid: 502, // the id_token is not valid yet (nbf)
  // The id a journey's id_token must carry (src/kinds/kind.ts createdId).
  id_token_mh_con_id_missing: 502, // the id_token has no mh:con_id
  id_token_mh_payment_missing: 502, // the id_token has no mh:payment
  id_token_mh_standing_order_missing: 502, // the id_token has no mh:standing_order
  id_token_mh_recurring_payment_missing: 502, // the id_token has no mh:recurring_payment
  id_token_mh_reverse_payment_missing: 502, // the id_token has no mh:reverse_payment
} as const satisfies Record<string, 400 | 401 | 403 | 404 | 405 | 409 | 410 | 413 | 415 | 422 | 429 | 500 | 502>

/** Every code the API can answer. */
export type ErrorCode = keyof typeof ERRORS

export const isErrorCode = (code: unknown): code is ErrorCode => typeof code === 'string' && Object.hasOwn(ERRORS, code)

/**
 * The one error the API answers with: `{ "error": code, "message": message }`, its status from ERRORS. `code` is
 * stable (clients branch on it); `message` is for humans and never carries a secret; details go in `cause`.
 * Free of HTTP, so that any module may throw it (and a Durable Object may pass it on as data: see src/objects/sessionCoordinator.ts).
 */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'ApiError'
  }

  get status() {
    return ERRORS[this.code]
  }
}

/**
 * The code a client sees for a failure upstream (an OidcError's code): its own, except that the token endpoint refusing
 * the Worker's own request is not the caller's fault (token_request_rejected is the caller's: 400), and a code of the
 * identity server's own (an OAuth error on the redirect) is not one of ours.
 */
export function upstreamError(error: { code: string; message: string }, message: string): ApiError {
  const code =
    error.code === 'token_request_rejected' ? 'token_request_failed' : isErrorCode(error.code) ? error.code : 'upstream_invalid_response'
  return new ApiError(code, message, { cause: error })
}

/** The code of an id_token claim jose finds missing or not acceptable; id_token_invalid for a claim the table has no code for. */
export function idTokenClaimCode(claim: string, reason: 'missing' | 'invalid'): ErrorCode {
  const code = `id_token_${claim.replace(/[^a-z_]/gi, '_')}_${reason}`
  return isErrorCode(code) ? code : 'id_token_invalid'
}
