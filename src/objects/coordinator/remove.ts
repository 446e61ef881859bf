/**
 * DELETE /sessions/:id, inside the session's Durable Object: refused while
 * its outcome is unknown (money may have moved, issue 26); an authorised VRP
 * consent revoked at Moneyhub first; then a tombstone, so that the
 * authorizeUrl and the callback of a deleted session never bring it back.
 */
import { ApiError } from '../../errors'
import { deleteSession, type Deleted } from '../../session/revoke'
import { isConsent, isPaymentKind } from '../../kinds/registry'
import { isUnresolved } from '../../payments/nextLook'
import { revokeConsent } from '../../payments/recurring'
import { IdempotencyStore } from '../../storage/idempotency'
import { SessionStore } from '../../storage/sessions'
import { nowSeconds } from '../../storage/sessionRecord'
import { settleRefund } from '../refundLedger'
import { ConsentPays } from './consentPays'
import type { SessionHost } from './host'
import type { AnyState } from './state'

/** Deletes the session here and in KV, leaving its tombstone (the caller tells its watchers). */
export async function removeSession(host: SessionHost, id: string): Promise<Deleted> {
  const config = await host.config()
  const store = new SessionStore(host.env.SESSIONS, config)
  const found = host.state?.phase === 'deleted' ? undefined : (host.state?.record ?? (await store.get(id)))
  const { stateHash, made, keepUntil, claimedAt }: AnyState = host.state ?? {}
  // Its code may have been sent and the outcome is not known: deleting it would drop what may be money moved (issue 26).
  if (found && (isUnresolved(found) || (isPaymentKind(found) && found.status === 'pending' && claimedAt !== undefined)))
    throw new ApiError(
      'outcome_unknown',
      'this session’s outcome is not known yet (money may have moved); it is being looked for in Moneyhub’s records: delete it once it is settled (a person can settle it: POST /unresolved-sessions/:id/settle)',
    )
  // Nor a VRP consent with a pay whose outcome is unknown: deleting would stop its looks and drop it from the person's list.
  if (found && isConsent(found) && (await new ConsentPays(host.storage).unresolved()).length > 0)
    throw new ApiError(
      'outcome_unknown',
      'a payment under this consent has an outcome not known yet (money may have moved): delete it once that is settled (a person can settle it: POST /unresolved-sessions/:id/settle with pay)',
    )
  let record = found
  // An authorised VRP consent is revoked at Moneyhub first (nothing is deleted when that fails): no live mandate is left unreachable.
  if (record && isConsent(record) && record.status === 'authorised') {
    record = await revokeConsent(config, store, record)
    await host.transition(record, config)
  }
  const consent = isConsent(record)
  const deleted = await deleteSession(config, store, record)
  // A refund's hold is released only when its code was never sent; otherwise its outcome settles it.
  if (record?.reverses && (claimedAt === undefined || record.status === 'failed')) await settleRefund(host.env, record, 'deleted')
  // A retry with the session's Idempotency-Key is told it was deleted (410), at the KV fast path and here, for the key's 24 h.
  if (made?.fastPath && keepUntil)
    await new IdempotencyStore(host.env.SESSIONS, config.encryptionKeys).markDeleted(made.fastPath, made.bodyHash, keepUntil)
  // A tombstone: the authorizeUrl and the callback of a deleted session must not bring it back while they are valid.
  // A VRP consent's pay records are kept, as long as the consent's record would have been; webhook events not yet
  // handed on stay in the outbox (the alarm delivers them before the tombstone is forgotten).
  const kept = (key: string) => key.startsWith('webhook:') || (consent && ConsentPays.owns(key))
  const dropped = [...(await host.storage.list()).keys()].filter((key) => !kept(key))
  for (let i = 0; i < dropped.length; i += 128) await host.storage.delete(dropped.slice(i, i + 128))
  host.alarmForgotten()
  await host.save({
    phase: 'deleted',
    record: record!,
    deleted: true,
    ...(stateHash ? { stateHash } : {}),
    ...(keepUntil ? { keepUntil } : {}),
    forgetAt: Math.max(nowSeconds() + config.sessionTtlSeconds + 60, keepUntil ?? 0, consent ? record!.expiresAt : 0),
  })
  return deleted
}
