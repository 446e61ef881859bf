/**
 * Ways the mock can misbehave at the token endpoint, chosen per flow: the test
 * (the "user") adds `fault=<name>` when it approves at /auth, and the fault
 * travels with the code. Flows without a fault are untouched, so tests that
 * run side by side do not disturb each other.
 */
// Assumption (project): test devices, no Moneyhub counterpart; each bends one thing a real server could get wrong.
export const FAULTS = [
  // id_token signature and keys
  'rogue_signature', // signed by a key that is not the issuer's, with the issuer's kid
  'alg_none', // unsigned
  'alg_hs256', // HMAC with the client id as secret
  'unknown_kid', // signed by a key never published
  'rotate_key', // the issuer rotates its key just before signing (valid, after one JWKS refetch)
  // id_token claims
  'iss_wrong',
  'iss_missing',
  'aud_wrong',
  'aud_missing',
  'aud_extra', // [client, another] with azp = client: an untrusted audience
  'aud_array', // [client]: valid
  'expired',
  'exp_missing',
  'iat_old',
  'nonce_wrong',
  'nonce_missing',
  'at_hash_wrong',
  'sub_missing',
  // the token response itself
  'expires_in_missing',
  'token_type_odd_case', // "bEaReR": valid (RFC 6749 §5.1 is case-insensitive)
  'html_answer',
  'server_error',
  'slow', // answers after delay_ms (default 3000); a payment is made after the delay
  'server_error_after_payment', // makes the payment, then answers 503: the client cannot know it was made
  'bare_4xx_after_payment', // makes the payment, then a 408 with no OAuth error (a gateway's answer)
  'odd_error_after_payment', // makes the payment, then a 400 whose error RFC 6749 §5.2 does not define for the token endpoint
  'clock_behind_after_payment', // makes the payment stamped delay_ms (default 180000) early, as by a clock behind, then answers 503
  'clock_ahead_after_payment', // the same, stamped delay_ms late (a clock ahead)
  'code_refused', // refuses the code with invalid_grant (RFC 6749 §5.2), making nothing
  'id_claim_missing', // the id_token leaves out the created object's id (Moneyhub documents only mh:payment)
  'reverse_id_missing', // a refund's id_token carries mh:payment (the refund's own payment) and no mh:reverse_payment
  // the hybrid flow's front-channel id_token
  'c_hash_wrong',
  's_hash_missing',
  'front_nonce_wrong',
  'front_sub_other', // names another user than the token endpoint's id_token
  // later in the grant's life
  'revocation_error', // the revocation endpoint answers 503 for this grant's tokens
  'refresh_no_rotation', // refreshing does not rotate the refresh token (RFC 6749 §6 allows it)
  'refresh_no_id_token', // the refresh response has no id_token (OIDC Core §12.2 allows it)
  'slow_refresh', // refresh requests answer after delay_ms (default 3000); the code exchange does not wait
] as const

export type Fault = (typeof FAULTS)[number]

export const isFault = (value: string | undefined): value is Fault => FAULTS.includes(value as Fault)
