// What a person does in the example app, through the drop-in components:
// accessible names and labels first, the lk- part classes where a label
// would be ambiguous.

import type { BrowserContext, Locator, Page } from "playwright-core";

/** The header's signed-in and signed-out branches (examples/nextjs/components/site-header.tsx). */
export function header(page: Page) {
  return {
    signedIn: page.locator('header [data-auth="signed-in"]'),
    signedOut: page.locator('header [data-auth="signed-out"]'),
    userButton: page.locator("header .lk-userButton-trigger"),
  };
}

/**
 * userButtonFor is the header's user button whose accessible name starts
 * with name (the trigger is named by the name it shows).
 */
export function userButtonFor(page: Page, name: string): Locator {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return page.locator("header").getByRole("button", { name: new RegExp(`^${escaped}\\b`) });
}

/** The visible submit button of the sign-in or sign-up card. */
export function submit(page: Page, component: "signIn" | "signUp"): Locator {
  return page.locator(`.lk-${component}-submit`);
}

/** typeIdentifier fills the first sign-in step and continues. */
export async function typeIdentifier(page: Page, email: string): Promise<void> {
  await page.getByLabel("Email address").fill(email);
  await submit(page, "signIn").click();
}

/** signInWithPassword goes through both steps of a password sign-in on the current page. */
export async function signInWithPassword(page: Page, email: string, password: string): Promise<void> {
  await typeIdentifier(page, email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await submit(page, "signIn").click();
}

/** openUserMenu opens the header's user button menu. */
export async function openUserMenu(page: Page): Promise<Locator> {
  await header(page).userButton.click();
  const menu = page.getByRole("menu");
  await menu.waitFor();
  return menu;
}

/** signOutFromMenu signs out through the user button. */
export async function signOutFromMenu(page: Page): Promise<void> {
  const menu = await openUserMenu(page);
  await menu.getByRole("menuitem", { name: "Sign out" }).click();
}

/** cookie returns the value of one of the context's cookies, or null. */
export async function cookie(context: BrowserContext, name: string): Promise<string | null> {
  const found = (await context.cookies()).find((c) => c.name === name);
  return found ? found.value : null;
}

/** tokenClaims decodes (without verifying) the payload of a session JWT. */
export function tokenClaims(jwt: string): { iat: number; exp: number; sid: string; sub: string } {
  const payload = jwt.split(".")[1];
  if (!payload) throw new Error(`not a JWT: ${jwt.slice(0, 20)}...`);
  return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { iat: number; exp: number; sid: string; sub: string };
}

/**
 * tabTo presses Tab until target has the focus (at most maxTabs times), as a
 * keyboard-only person would.
 */
export async function tabTo(page: Page, target: Locator, maxTabs = 40): Promise<void> {
  for (let i = 0; i <= maxTabs; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`${maxTabs} presses of Tab never reached ${target.toString()}`);
}

export interface DocumentResponse {
  url: string;
  status: number;
  /** Latchkey-Auth-Reason and Latchkey-Auth-Status (the app runs with LATCHKEY_DEBUG=1). */
  reason: string | null;
  authStatus: string | null;
}

/**
 * documentResponses records every top-level document response of the page,
 * redirect hops included, so tests can count handshakes and spot loops.
 */
export function documentResponses(page: Page): DocumentResponse[] {
  const hops: DocumentResponse[] = [];
  page.on("response", (response) => {
    const request = response.request();
    if (!request.isNavigationRequest() || request.frame() !== page.mainFrame()) return;
    const headers = response.headers();
    hops.push({
      url: response.url(),
      status: response.status(),
      reason: headers["latchkey-auth-reason"] ?? null,
      authStatus: headers["latchkey-auth-status"] ?? null,
    });
  });
  return hops;
}

/** setCookie sets one of the app's cookies as the server would (host-only, path /), to tamper with it. */
export async function setCookie(context: BrowserContext, appUrl: string, name: string, value: string, httpOnly = true): Promise<void> {
  await context.addCookies([{ name, value, url: appUrl, httpOnly, sameSite: "Lax" }]);
}

/** sleepUntil waits until the wall clock passes unixSeconds. */
export async function sleepUntil(unixSeconds: number): Promise<void> {
  const ms = unixSeconds * 1000 - Date.now();
  if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
}
