/**
 * The browser-binding cookie: set when the user's browser is sent to the
 * identity server (GET /connect, GET /sessions/:id/authorize), required at
 * GET /callback. An authorisation link or callback URL that leaks is useless
 * in another browser. One cookie per session, so flows in parallel tabs do
 * not clobber each other. `__Host-` and Secure when the callback is https.
 */
import type { Context } from 'hono'
import { getCookie, setCookie } from 'hono/cookie'
import type { AppEnv } from './context'

const secure = (c: Context<AppEnv>) => c.get('config').redirectUri.startsWith('https:')
const nameFor = (id: string) => `mhc_${id}`

export function setBrowserBinding(c: Context<AppEnv>, id: string, browserKey: string, maxAgeSeconds: number) {
  // Lax is sent on the top-level GET back from the identity server; the hybrid flow's cross-site
  // form POST carries only SameSite=None cookies (which browsers accept only when Secure).
  const sameSite = c.get('config').responseType === 'code id_token' ? 'None' : 'Lax'
  setCookie(c, nameFor(id), browserKey, {
    path: '/',
    httpOnly: true,
    sameSite,
    maxAge: Math.max(1, maxAgeSeconds),
    ...(secure(c) || sameSite === 'None' ? { secure: true } : {}),
    ...(secure(c) ? { prefix: 'host' as const } : {}),
  })
}

export function readBrowserBinding(c: Context<AppEnv>, id: string): string | undefined {
  return secure(c) ? getCookie(c, nameFor(id), 'host') : getCookie(c, nameFor(id))
}

export function clearBrowserBinding(c: Context<AppEnv>, id: string) {
  setCookie(c, nameFor(id), '', { path: '/', maxAge: 0, httpOnly: true, ...(secure(c) ? { secure: true, prefix: 'host' as const } : {}) })
}
