// The system Chromium driven by playwright-core: one browser per test file,
// a fresh context (cookies, storage) per test.

import path from "node:path";
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions } from "playwright-core";
import { afterAll, beforeAll, inject, onTestFinished } from "vitest";
import type { E2EContext } from "./context";

export function e2e(): E2EContext {
  return inject("e2e");
}

const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

/**
 * useBrowser launches headless Chromium before the file's tests (with a
 * fresh user data directory, as every launch does) and closes it after them.
 */
export function useBrowser(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: e2e().chromiumPath, headless: true, args: chromiumArgs, timeout: 60_000 });
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error("the browser is not running (useBrowser() must be called at the top of the test file)");
    return browser;
  };
}

/**
 * newContext opens a fresh browser context on the app, closed when the test
 * ends; if the test fails, a screenshot of each of its pages is kept.
 */
export async function newContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: e2e().appUrl, locale: "en-US", timezoneId: "UTC", ...options });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(30_000);
  onTestFinished(async ({ task }) => {
    if (task.result?.state === "fail") {
      const name = task.name.replace(/[^a-z0-9]+/gi, "-").toLowerCase();
      let i = 0;
      for (const page of context.pages()) {
        const file = path.join(e2e().artifactsDir, `${name}-${i++}.png`);
        await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
        process.stdout.write(`[e2e] screenshot of ${page.url()}: ${file}\n`);
      }
    }
    await context.close();
  });
  return context;
}
