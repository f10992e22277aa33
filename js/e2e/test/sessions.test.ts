import { expect, test } from "vitest";
import { createUser, sessionStatus, signInContext } from "../src/backend";
import { e2e, newContext, useBrowser } from "../src/browser";
import {
  cookie,
  documentResponses,
  header,
  setCookie,
  signOutFromMenu,
  sleepUntil,
  tokenClaims,
  userButtonFor,
  type DocumentResponse,
} from "../src/ui";
import { seriousViolations } from "../src/axe";

const browser = useBrowser();

function paths(hops: DocumentResponse[]): string {
  return hops.map((h) => `${h.status} ${h.url} (${h.reason ?? "-"})`).join("\n");
}

/** settle waits (at most 20 s) until no new document has loaded for 2 s. */
async function settle(hops: DocumentResponse[]): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const seen = hops.length;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    if (hops.length === seen) return;
    if (Date.now() > deadline) throw new Error(`still navigating after 20 s:\n${paths(hops)}`);
  }
}

function isHandshake(hop: DocumentResponse): boolean {
  return new URL(hop.url).pathname === "/__latchkey/v1/client/handshake";
}

test("the server-rendered dashboard already names the user: no flash", async () => {
  const user = await createUser("Ada");
  const context = await newContext(browser());
  await signInContext(context, user, "/");

  // The HTML as it leaves the server, before any script could run.
  const res = await context.request.get("/dashboard", { headers: { Accept: "text/html" }, maxRedirects: 0 });
  expect(res.status()).toBe(200);
  const html = await res.text();
  expect(html).toMatch(/Signed in as <strong[^>]*>Ada<\/strong>/);
  expect(html).toContain('data-auth="signed-in"');
  expect(html).not.toContain('data-auth="signed-out"');
  expect(html).toContain("lk-userButton-trigger");

  // The same page in a browser with scripts off: nothing is left for them to fix.
  const noScript = await newContext(browser(), { javaScriptEnabled: false });
  await signInContext(noScript, user, "/");
  const page = await noScript.newPage();
  await page.goto("/dashboard");
  await expect(page.getByTestId("signed-in-as").textContent()).resolves.toBe("Signed in as Ada");
  await userButtonFor(page, "Ada").waitFor();
  expect(await header(page).signedOut.count()).toBe(0);
});

test("the session token is refreshed in the background with no visible change", async () => {
  const user = await createUser("Finn");
  const context = await newContext(browser());
  await signInContext(context, user, "/");
  const page = await context.newPage();
  const refreshes: number[] = [];
  page.on("response", (r) => {
    if (r.request().method() === "POST" && /^\/__latchkey\/v1\/client\/sessions\/[^/]+\/tokens$/.test(new URL(r.url()).pathname)) {
      refreshes.push(r.status());
    }
  });
  await page.goto("/dashboard");
  await userButtonFor(page, "Finn").waitFor();
  const before = (await cookie(context, "__lk_session")) ?? "";
  expect(before).toMatch(/^eyJ/);

  // Anything signed-out showing up, even for one frame, is recorded.
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { lkFlashes: string[] }).lkFlashes = seen;
    const check = () => {
      if (document.querySelector('header [data-auth="signed-out"]')) seen.push("signed-out header");
      if (!document.querySelector('header [data-auth="signed-in"]')) seen.push("no signed-in header");
      if (!document.body.textContent?.includes("Signed in as Finn")) seen.push("greeting gone");
    };
    new MutationObserver(check).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    check();
  });

  // Tokens live 30 s here and the page refreshes them 15 s before expiry,
  // with nobody touching it: the cookie the server reads changes by itself.
  await expect.poll(() => cookie(context, "__lk_session"), { timeout: 45_000, interval: 500 }).not.toBe(before);
  expect(refreshes).toContain(200);
  const after = (await cookie(context, "__lk_session")) ?? "";
  expect(tokenClaims(after).sid).toBe(tokenClaims(before).sid);
  expect(tokenClaims(after).exp).toBeGreaterThan(tokenClaims(before).exp);

  expect(await page.evaluate(() => (window as unknown as { lkFlashes: string[] }).lkFlashes)).toEqual([]);
  await expect(page.getByTestId("signed-in-as").textContent()).resolves.toBe("Signed in as Finn");
});

test("signing out in one tab signs out the other, without a reload", async () => {
  const user = await createUser("Gus");
  const context = await newContext(browser());
  await signInContext(context, user, "/");
  const first = await context.newPage();
  await first.goto("/dashboard");
  const second = await context.newPage();
  await second.goto("/dashboard");
  await userButtonFor(second, "Gus").waitFor();
  await second.evaluate(() => {
    (window as unknown as { sameDocument: boolean }).sameDocument = true;
  });

  await signOutFromMenu(first);
  await header(first).signedOut.waitFor();
  await header(second).signedOut.waitFor();
  expect(await second.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
  expect(await header(second).userButton.count()).toBe(0);
});

test("revoking a device from the user profile signs that browser out", async () => {
  const user = await createUser("Hal");
  const phone = await newContext(browser());
  await signInContext(phone, user, "/");
  const laptop = await newContext(browser());
  await signInContext(laptop, user, "/");
  const phonePage = await phone.newPage();
  await phonePage.goto("/dashboard");
  const phoneToken = (await cookie(phone, "__lk_session")) ?? "";
  const phoneSession = tokenClaims(phoneToken).sid;

  const page = await laptop.newPage();
  await page.goto("/account");
  await page.locator(".lk-userProfile-navigation").getByRole("button", { name: "Security" }).click();
  const devices = page.locator(".lk-userProfile-deviceItem");
  await expect.poll(() => devices.count(), { timeout: 15_000 }).toBe(2);
  expect(await seriousViolations(page)).toEqual([]);

  const other = devices.filter({ hasNotText: "This device" });
  await other.getByRole("button", { name: "Sign out device" }).click();
  const confirm = page.locator(".lk-userProfile-confirmSubmit");
  await confirm.waitFor();
  expect(await seriousViolations(page)).toEqual([]);
  await confirm.click();
  await expect.poll(() => devices.count(), { timeout: 15_000 }).toBe(1);
  expect(await sessionStatus(phoneSession)).toBe("revoked");

  // The phone's open page finds out at its next token refresh, by itself.
  await header(phonePage).signedOut.waitFor({ timeout: 45_000 });
  // Its next page load is signed out too, at the latest once the token it
  // still holds (valid to a networkless verifier until exp) has expired.
  const held = await cookie(phone, "__lk_session");
  if (held) await sleepUntil(tokenClaims(held).exp + 6);
  await phonePage.goto("/dashboard");
  expect(new URL(phonePage.url()).pathname).toBe("/sign-in");
});

test("a page load with a missing, stale or expired token goes through the handshake once", async () => {
  const user = await createUser("Ivy");
  const context = await newContext(browser());
  await signInContext(context, user, "/");
  const { appUrl } = e2e();
  const original = (await cookie(context, "__lk_session")) ?? "";
  expect(original).toMatch(/^eyJ/);

  // loadDashboard opens /dashboard in a new tab and returns its document hops.
  const loadDashboard = async () => {
    const page = await context.newPage();
    const hops = documentResponses(page);
    await page.goto("/dashboard");
    await expect(page.getByTestId("signed-in-as").textContent()).resolves.toBe("Signed in as Ivy");
    await page.close();
    return hops;
  };
  const expectOneHandshake = (hops: DocumentResponse[], reason: string) => {
    expect(hops.filter(isHandshake), paths(hops)).toHaveLength(1);
    expect(hops[0], paths(hops)).toMatchObject({ status: expect.any(Number), reason, authStatus: "handshake" });
    expect([303, 307]).toContain(hops[0]?.status);
    const last = hops[hops.length - 1];
    expect(last?.status, paths(hops)).toBe(200);
    expect(new URL(last?.url ?? appUrl).pathname).toBe("/dashboard");
    expect(hops.length, paths(hops)).toBeLessThanOrEqual(4);
  };

  // No token at all (the browser dropped its session cookie).
  await context.clearCookies({ name: "__lk_session" });
  expectOneHandshake(await loadDashboard(), "session-token-missing");

  // A valid token minted before the client's last change (another tab signed in again).
  const current = (await cookie(context, "__lk_session")) ?? "";
  await setCookie(context, appUrl, "__lk_uat", String(tokenClaims(current).iat + 60), false);
  expectOneHandshake(await loadDashboard(), "token-iat-before-client-uat");

  // The first token, once it has expired (30 s lifetime and 5 s leeway).
  await sleepUntil(tokenClaims(original).exp + 6);
  await setCookie(context, appUrl, "__lk_session", original);
  expectOneHandshake(await loadDashboard(), "session-token-expired");
});

test("a tampered session cookie gets a signed-out or recovered page, never an error", async () => {
  const user = await createUser("Jo");
  const context = await newContext(browser());
  await signInContext(context, user, "/");
  const { appUrl } = e2e();
  const token = (await cookie(context, "__lk_session")) ?? "";
  const [head, payload, signature] = token.split(".") as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
  const otherSubject = Buffer.from(JSON.stringify({ ...claims, sub: "user_someoneelse" })).toString("base64url");
  const flipped = (signature[0] === "A" ? "B" : "A") + signature.slice(1);

  const cases: Array<[string, string, string]> = [
    ["signature changed", `${head}.${payload}.${flipped}`, "session-token-signature-invalid"],
    ["claims changed", `${head}.${otherSubject}.${signature}`, "session-token-signature-invalid"],
    ["not a JWT", "not-a-jwt", "session-token-malformed"],
  ];
  for (const [name, value, reason] of cases) {
    await setCookie(context, appUrl, "__lk_session", value);
    const page = await context.newPage();
    const hops = documentResponses(page);
    await page.goto("/dashboard");
    // Wait until the browser is at rest (no new document for 2 s): on the
    // sign-in form, or back on the dashboard once the client refreshed its
    // token. A bounce between the two would show as extra hops.
    await settle(hops);
    const greeting = page.getByTestId("signed-in-as");
    expect(hops[0]?.reason, `${name}\n${paths(hops)}`).toBe(reason);
    for (const hop of hops) expect(hop.status, `${name}\n${paths(hops)}`).toBeLessThan(500);
    // At most: the protected page, the sign-in page, and back once recovered.
    expect(hops.length, `${name}: more hops than a recovery takes\n${paths(hops)}`).toBeLessThanOrEqual(3);
    const path = new URL(page.url()).pathname;
    expect(["/sign-in", "/dashboard"], name).toContain(path);
    if (path === "/dashboard") {
      await expect(greeting.textContent()).resolves.toBe("Signed in as Jo");
    } else {
      await page.getByLabel("Email address").waitFor();
    }
    expect(await page.getByText("Application error").count(), name).toBe(0);
    expect(await page.getByText("Internal Server Error").count(), name).toBe(0);

    // A public page with the same cookie renders too.
    await setCookie(context, appUrl, "__lk_session", value);
    const home = await page.goto("/");
    expect(home?.status(), name).toBe(200);
    await page.close();
  }
});
