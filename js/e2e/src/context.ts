// What global setup hands to the test files (vitest's provide/inject).

export interface E2EContext {
  /** http://localhost:<port>: the example app, and Latchkey behind /__latchkey. */
  appUrl: string;
  /** http://127.0.0.1:<port>: Latchkey directly (dev inbox, Backend API). */
  latchkeyUrl: string;
  /** A Backend API secret key of the instance. */
  secretKey: string;
  /**
   * The webhook signing secret (whsec_...) the app was started with
   * (LATCHKEY_WEBHOOK_SECRET): a test creates its endpoint with this secret.
   */
  webhookSecret: string;
  /** The example's users database (EXAMPLE_DB_PATH), kept by its webhook route. */
  exampleDbPath: string;
  chromiumPath: string;
  /** Where screenshots of failed tests go. */
  artifactsDir: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    e2e: E2EContext;
  }
}
