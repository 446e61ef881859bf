import { createMiddleware } from 'hono/factory'
import { getConfig, type Config } from '../config'
import { SessionStore } from '../storage/sessions'
/** Who is calling (http/auth.ts decides): the app backend (bearer BACKEND_API_KEY) or a browser on an allowed origin. */
export type Caller = 'backend' | 'browser'

export type AppEnv = {
  Bindings: Env
  Variables: {
    config: Config
    store: SessionStore
    requestId: string
    caller: Caller
    logNote?: unknown
    /** The session's secret was shown and matched (http/sessionSecret.ts). */
    secretShown?: boolean
  }
}

/** Puts the validated config and the session store on the context, for every route that needs them. */
export const withConfig = createMiddleware<AppEnv>(async (c, next) => {
  const config = await getConfig(c.env)
  c.set('config', config)
  c.set('store', new SessionStore(c.env.SESSIONS, config))
  await next()
})
