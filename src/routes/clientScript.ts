/**
 * GET /client.js: the browser helper (src/client/browser.ts) as an ES module,
 * so that an app's page needs only `import { connectBank } from 'https://<worker>/client.js'`.
 * Built by `npm run build:client` into browserModule.generated.ts (a string the
 * Worker imports: it works alike under wrangler dev, vitest and deploy).
 *
 * Caching: `/client.js?v=<version>` is immutable (a year); plain `/client.js`
 * is cached 5 minutes and revalidated by ETag. Public code without credentials,
 * so any origin may load it (module scripts are fetched with CORS).
 */
import { Hono } from 'hono/tiny'
import { describeRoute } from 'hono-openapi'
import { CLIENT_SCRIPT, CLIENT_SCRIPT_VERSION } from '../client/browserModule.generated'
import type { AppEnv } from '../http/context'

const ETAG = `"${CLIENT_SCRIPT_VERSION}"`

export const clientScript = new Hono<AppEnv>().get(
  '/client.js',
  describeRoute(
    OPENAPI_BUILD
      ? {
          summary: 'The browser helper (connectBank, sessionFromReturn, waitForStatus) as an ES module',
          tags: ['public'],
          responses: { 200: { description: 'JavaScript (ES module); its version is in the ETag and X-Client-Version' } },
        }
      : {},
  ),
  (c) => {
    const pinned = c.req.query('v') === CLIENT_SCRIPT_VERSION
    c.header('access-control-allow-origin', '*')
    c.header('cache-control', pinned ? 'public, max-age=31536000, immutable' : 'public, max-age=300')
    c.header('etag', ETAG)
    c.header('x-client-version', CLIENT_SCRIPT_VERSION)
    if (c.req.header('if-none-match') === ETAG) return c.body(null, 304)
    return c.body(CLIENT_SCRIPT, 200, { 'content-type': 'text/javascript; charset=utf-8' })
  },
)
