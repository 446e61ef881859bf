/** Vite's `?raw` imports (a file's text), as the tests use them: wrangler.toml read by test/status/webhook-retry-settings.test.ts. */
declare module '*?raw' {
  const text: string
  export default text
}
