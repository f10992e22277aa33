import { randomBytes } from "node:crypto";
import type { Locator, Page } from "playwright-core";
import { expect, onTestFinished, test } from "vitest";
import { seriousViolations } from "../src/axe";
import { createOAuthProvider, createUser, deleteOAuthProvider, externalAccounts, signInContext, uniqueEmail } from "../src/backend";
import { e2e, newContext, useBrowser } from "../src/browser";
import { header, signOutFromMenu, userButtonFor } from "../src/ui";

const browser = useBrowser();

// The dev-mode test provider (web/dev_test_idp.go): its button on the cards,
// and its page, where the developer types who to sign in as.
const testIdPButton = "Continue with Latchkey Test IdP";

interface Identity {
  email: string;
  firstName: string;
  verified: boolean;
}

/** onTestIdP waits for the test provider's page (served on origin, when given). */
async function onTestIdP(page: Page, origin?: string): Promise<void> {
  await page.waitForURL((url) => url.pathname.endsWith("/dev/test_idp/authorize") && (origin === undefined || url.origin === origin));
  await page.getByRole("heading", { name: "Latchkey Test IdP", level: 1 }).waitFor();
}

/** vouchFor fills the test provider's page with an identity and continues, as a developer would. */
async function vouchFor(page: Page, who: Identity, origin?: string): Promise<void> {
  await onTestIdP(page, origin);
  await page.getByRole("textbox", { name: "Email address" }).fill(who.email);
  await page.getByRole("checkbox", { name: "The provider says this email address is verified" }).setChecked(who.verified);
  await page.getByRole("textbox", { name: "First name" }).fill(who.firstName);
  await page.getByRole("button", { name: "Continue", exact: true }).click();
}

/** dashboardUserId is the user ID the server-rendered dashboard shows. */
async function dashboardUserId(page: Page): Promise<string> {
  await page.waitForURL((url) => url.pathname === "/dashboard");
  const id = (await page.locator('dt:text-is("User") + dd').textContent())?.trim() ?? "";
  expect(id).toMatch(/^user_/);
  return id;
}

/** accountsOf is what the Backend API says of a user's connected accounts (IDs and identities, not timestamps). */
async function accountsOf(userId: string): Promise<Array<{ id: string; provider: string; subject: string; email: string }>> {
  return (await externalAccounts(userId)).map((a) => ({ id: a.id, provider: a.provider, subject: a.provider_user_id, email: a.email_address }));
}

/** connectedAccounts is the Connected accounts section of <UserProfile />. */
function connectedAccounts(page: Page): { section: Locator; item: (provider: string) => Locator } {
  const section = page.getByRole("region", { name: "Connected accounts" });
  return { section, item: (provider) => section.locator(`.lk-userProfile-accountItem[data-provider="${provider}"]`) };
}

/**
 * acmeProvider configures a second provider for the test: a custom OAuth 2.0
 * provider whose endpoints are Latchkey's own test provider, reached directly
 * on 127.0.0.1 (http on loopback is allowed in dev mode), so the browser
 * really leaves the app for another site and comes back. It is deleted when
 * the test ends, and its ID is unique, so no other test sees it.
 */
async function acmeProvider(): Promise<{ id: string; name: string; strategy: string }> {
  const base = `${e2e().latchkeyUrl}/dev/test_idp`;
  const provider = await createOAuthProvider({
    type: "oauth2",
    id: `custom_acme_${randomBytes(4).toString("hex")}`,
    name: "Acme SSO",
    enabled: true,
    client_id: "acme-e2e",
    client_secret: "acme-e2e-secret",
    auth_url: `${base}/authorize`,
    token_url: `${base}/token`,
    userinfo_url: `${base}/userinfo`,
    mapping: { id: "id", email: "email", email_verified: "email_verified", name: "name" },
  });
  onTestFinished(() => deleteOAuthProvider(provider.id));
  expect(provider).toMatchObject({ name: "Acme SSO", strategy: `oauth_${provider.id}`, enabled: true });
  return provider;
}

test("signs up, out and in again with the test provider, then connects and disconnects a second provider", async () => {
  const context = await newContext(browser());
  const page = await context.newPage();
  const who: Identity = { email: uniqueEmail("mira"), firstName: "Mira", verified: true };

  // Sign up: the card offers the test provider; its page vouches for a new,
  // verified address, and the account is made and signed in on the way back.
  await page.goto("/sign-up");
  const signUpButton = page.getByRole("button", { name: testIdPButton });
  await signUpButton.waitFor();
  await expect(signUpButton.getAttribute("class")).resolves.toContain("lk-signUp-socialButton");
  await expect(signUpButton.getAttribute("data-provider")).resolves.toBe("latchkey_test");
  expect(await seriousViolations(page)).toEqual([]);
  await signUpButton.click();
  await vouchFor(page, who);

  const userId = await dashboardUserId(page);
  await userButtonFor(page, "Mira").waitFor();
  await expect(page.getByTestId("signed-in-as").textContent()).resolves.toBe("Signed in as Mira");
  const afterSignUp = await accountsOf(userId);
  expect(afterSignUp).toEqual([expect.objectContaining({ provider: "latchkey_test", email: who.email })]);

  // Sign out through the user button.
  await signOutFromMenu(page);
  await header(page).signedOut.waitFor();
  expect(await header(page).userButton.count()).toBe(0);

  // Sign in again with the same identity: the same user, no second account.
  await page.goto("/sign-in");
  const signInButton = page.getByRole("button", { name: testIdPButton });
  await signInButton.waitFor();
  await expect(signInButton.getAttribute("class")).resolves.toContain("lk-signIn-socialButton");
  expect(await seriousViolations(page)).toEqual([]);
  await signInButton.click();
  await vouchFor(page, who);
  expect(await dashboardUserId(page)).toBe(userId);
  await userButtonFor(page, "Mira").waitFor();
  expect(await accountsOf(userId)).toEqual(afterSignUp);

  // Connect a second provider from the account page (the sign-in just now is
  // recent enough), on another site.
  const acme = await acmeProvider();
  await page.goto("/account");
  const accounts = connectedAccounts(page);
  await accounts.section.waitFor();
  const testIdPItem = accounts.item("latchkey_test");
  await testIdPItem.waitFor();
  await expect(testIdPItem.textContent()).resolves.toContain(who.email);
  const connect = accounts.section.getByRole("button", { name: "Connect Acme SSO" });
  await connect.waitFor();
  expect(await seriousViolations(page)).toEqual([]);

  await connect.click();
  await vouchFor(page, who, new URL(e2e().latchkeyUrl).origin);
  await page.waitForURL((url) => url.pathname === "/account");
  const acmeItem = accounts.item(acme.id);
  await acmeItem.waitFor();
  await expect(acmeItem.locator(".lk-userProfile-accountProvider").textContent()).resolves.toBe("Acme SSO");
  await expect(acmeItem.textContent()).resolves.toContain(who.email);
  // Nothing went wrong on the way back, and the provider is no longer offered.
  expect(await accounts.section.getByRole("alert").count()).toBe(0);
  expect(await connect.count()).toBe(0);
  expect(await seriousViolations(page)).toEqual([]);
  expect((await accountsOf(userId)).map((a) => a.provider).sort()).toEqual([acme.id, "latchkey_test"].sort());

  // Disconnect it, after confirming.
  await acmeItem.getByRole("button", { name: "Disconnect" }).click();
  const confirm = acmeItem.locator(".lk-userProfile-confirmSubmit");
  await confirm.waitFor();
  await expect(acmeItem.locator(".lk-userProfile-confirmText").textContent()).resolves.toContain("Disconnect Acme SSO");
  expect(await seriousViolations(page)).toEqual([]);
  await confirm.click();
  await acmeItem.waitFor({ state: "detached" });
  await accounts.section.getByRole("status").filter({ hasText: "Acme SSO was disconnected." }).waitFor();
  await testIdPItem.waitFor();
  // It can be connected again.
  await connect.waitFor();
  expect(await seriousViolations(page)).toEqual([]);
  expect(await accountsOf(userId)).toEqual(afterSignUp);
});

test("cancelling at the provider brings the sign-in card back with the reason", async () => {
  const context = await newContext(browser());
  const page = await context.newPage();
  await page.goto("/sign-in");
  await page.getByRole("button", { name: testIdPButton }).click();

  await onTestIdP(page);
  await page.getByRole("button", { name: "Deny access" }).click();

  // Back on the sign-in page (never a provider's or an error page), the card
  // says what happened in words, not as a code, and can be used again.
  await page.waitForURL((url) => url.pathname === "/sign-in" && url.searchParams.get("lk_error") === "oauth_access_denied");
  const error = page.locator(".lk-signIn-globalError");
  await error.filter({ hasText: "Signing in with the provider was cancelled. Try again, or use another method." }).waitFor();
  await expect(error.getAttribute("role")).resolves.toBe("alert");
  await page.getByRole("button", { name: testIdPButton }).waitFor();
  await page.getByLabel("Email address").waitFor();
  expect(await header(page).signedOut.count()).toBe(1);
  expect(await seriousViolations(page)).toEqual([]);
});

test("cancelling a connection at the provider shows why in Connected accounts", async () => {
  const user = await createUser("Omar");
  const context = await newContext(browser());
  await signInContext(context, user, "/");
  const page = await context.newPage();
  await page.goto("/account");
  const accounts = connectedAccounts(page);
  await accounts.section.getByText("No account is connected yet.").waitFor();
  await accounts.section.getByRole("button", { name: "Connect Latchkey Test IdP" }).click();

  await onTestIdP(page);
  await page.getByRole("button", { name: "Deny access" }).click();

  await page.waitForURL((url) => url.pathname === "/account" && url.searchParams.get("lk_error") === "oauth_access_denied");
  await accounts.section.getByRole("alert").filter({ hasText: "Signing in with the provider was cancelled. Try again, or use another method." }).waitFor();
  // Nothing was connected, and the provider is still offered.
  await accounts.section.getByRole("button", { name: "Connect Latchkey Test IdP" }).waitFor();
  expect(await accounts.section.locator(".lk-userProfile-accountItem").count()).toBe(0);
  expect(await accountsOf(user.id)).toEqual([]);
  expect(await seriousViolations(page)).toEqual([]);
});
