/** The largest starts POST /sessions accepts: every field at the longest the schemas allow (test/api/body-limits.test.ts). */
import { APP_ORIGIN } from './helpers'

export function largestStarts() {
  const day = 86_400_000
  // Every field at the longest the schemas accept.
  const permissions = Array.from({ length: 32 }, (_, i) => String.fromCharCode(65 + (i % 26)).repeat(64))
  const consent = {
    permissions,
    permissionsAction: 'replace',
    expirationDateTime: new Date(Date.now() + 89 * day)
      .toISOString()
      .replace('Z', '')
      .replace(/\.\d+$/, '.123456789+00:00'),
    transactionFromDateTime: new Date(Date.now() - 700 * day)
      .toISOString()
      .replace('Z', '')
      .replace(/\.\d+$/, '.123456789+00:00'),
  }
  const newUser = {
    bankId: 'b'.repeat(64),
    returnTo: `${APP_ORIGIN}/${'r'.repeat(2048 - APP_ORIGIN.length - 1)}`,
    userId: 'u'.repeat(64),
    offlineAccess: true,
    consent,
    enableAsync: true,
    accountVerification: true,
  }
  // Moneyhub allows only openid beside an action: no offline_access.
  const existing = {
    ...newUser,
    bankId: undefined,
    offlineAccess: undefined,
    connectionId: `${'c'.repeat(64)}:${'d'.repeat(64)}`,
    action: 'reconsent',
  }
  return { newUser, existing }
}
