/** What the global setup (test/setup/global.ts) provides to the config and to tests. */
declare module 'vitest' {
  export interface ProvidedContext {
    mockOrigin: string
    clientId: string
    redirectUri: string
    clientPrivateJwks: string
    clientPublicJwks: string
    tokenEncryptionKey: string
    newTokenEncryptionKey: string
    backendApiKey: string
    webhookSecret: string
  }
}
export {}
