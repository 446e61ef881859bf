/**
 * Opening the authorizeUrl, inside the session's Durable Object
 * (sessionCoordinator.ts `launch`): the first browser binds the session to
 * itself (a new browser key, its cookie); the same browser again (back button,
 * reload) gets the same key while the session is pending; any other browser is
 * refused; a final session answers with its outcome. Only `{ ok: true }` lets
 * the Worker send anything upstream.
 */
import { randomToken, sameDigest, sha256 } from '../../util/encoding'
import { nowSeconds, type StoredSession } from '../../storage/sessionRecord'
import type { SessionHost } from './host'
import { finalRefusal, isFinal, refusal, type Outcome } from './state'

/** The link opened: `pending` is the KV record, `completing` the callback's claim when one runs here (awaited for its outcome). */
export async function launchSession(
  host: SessionHost,
  completing: () => Promise<unknown> | undefined,
  { pending, state, sealedTicket, browserKey }: { pending: StoredSession; state: string; sealedTicket: string; browserKey?: string },
): Promise<Outcome<{ browserKey: string }>> {
  const fresh = randomToken(16)
  const [stateHash, freshHash, presentedHash] = await Promise.all([
    sha256(state),
    sha256(fresh),
    browserKey ? sha256(browserKey) : undefined,
  ])
  const known = { ...(pending.returnTo ? { returnTo: pending.returnTo } : {}) }
  const expired = () => refusal('session_expired', 'this connection link has expired; start a new one from the app', known)
  // From here to the write, nothing awaits: two browsers opening the link at once cannot both be first.
  if (!host.state) {
    if (pending.expiresAt <= nowSeconds()) return expired()
    await host.save({
      phase: 'launched',
      record: pending,
      stateHash,
      browserKeyHash: freshHash,
      sealedTicket,
      linkExpiresAt: pending.expiresAt,
    })
    return { ok: true, browserKey: fresh }
  }
  if (host.state.phase === 'deleted')
    return refusal('session_deleted', 'this connection was cancelled; start a new one from the app', known)
  if (host.state.phase === 'created') {
    // Made by `create` and not yet opened: the first browser binds it, with the ticket it was made with.
    if (!host.state.stateHash || !sameDigest(host.state.stateHash, stateHash))
      return refusal('ticket_invalid', 'this authorisation link is not valid; start a new session')
    if (host.state.record.expiresAt <= nowSeconds()) return expired()
    await host.save({ ...host.state, phase: 'launched', browserKeyHash: freshHash })
    return { ok: true, browserKey: fresh }
  }
  const claim = completing()
  if (claim) await claim.catch(() => undefined) // completing: answer with its outcome
  const current = host.state
  if (isFinal(current.record)) return finalRefusal(current.record, 'link_used')
  if (current.claimedAt !== undefined) return refusal('link_used', 'this connection is already being completed', known)
  if (current.record.expiresAt <= nowSeconds()) return expired()
  if (presentedHash && current.browserKeyHash && sameDigest(presentedHash, current.browserKeyHash))
    return { ok: true, browserKey: browserKey! }
  return refusal('link_used', 'this connection link was already opened in another browser', known)
}
