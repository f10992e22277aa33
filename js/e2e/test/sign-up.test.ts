import { expect, test } from "vitest";
import { seriousViolations } from "../src/axe";
import { createUser, signInContext, strongPassword, uniqueEmail } from "../src/backend";
import { newContext, useBrowser } from "../src/browser";
import { inboxMark, nextMessage, onlyCode } from "../src/inbox";
import { cookie, header, openUserMenu, signOutFromMenu, submit, userButtonFor } from "../src/ui";

const browser = useBrowser();

test("signs up with a password and the code mailed to the address", async () => {
  const context = await newContext(browser());
  const page = await context.newPage();
  const email = uniqueEmail("ada");
  await page.goto("/sign-up");

  const firstName = page.getByLabel("First name");
  const emailInput = page.getByLabel("Email address");
  const password = page.getByLabel("Password", { exact: true });
  await expect(emailInput.getAttribute("autocomplete")).resolves.toBe("email");
  await expect(password.getAttribute("autocomplete")).resolves.toBe("new-password");
  await expect(password.getAttribute("type")).resolves.toBe("password");
  expect(await seriousViolations(page)).toEqual([]);

  const seen = await inboxMark(email);
  await firstName.fill("Ada");
  await emailInput.fill(email);
  await password.fill(strongPassword());
  await submit(page, "signUp").click();

  const code = page.getByLabel("Verification code");
  await code.waitFor();
  await expect(code.getAttribute("autocomplete")).resolves.toBe("one-time-code");
  expect(await seriousViolations(page)).toEqual([]);

  const mail = await nextMessage(email, "verification_code", seen);
  await code.fill(onlyCode(mail));

  // The account exists, this browser is signed in, the card goes on to its
  // afterSignUpUrl (the dashboard), and the header follows.
  await page.waitForURL((url) => url.pathname === "/dashboard");
  await userButtonFor(page, "Ada").waitFor();
  expect(Number(await cookie(context, "__lk_uat"))).toBeGreaterThan(0);
  expect(await cookie(context, "__lk_session")).toMatch(/^eyJ/);
  await expect(page.getByTestId("signed-in-as").textContent()).resolves.toBe("Signed in as Ada");
});

test("signs out through the user button", async () => {
  const user = await createUser("Bea");
  const context = await newContext(browser());
  await signInContext(context, user, "/");
  const page = await context.newPage();
  await page.goto("/");
  await header(page).userButton.waitFor();

  await openUserMenu(page);
  expect(await seriousViolations(page)).toEqual([]);
  await page.keyboard.press("Escape");

  await signOutFromMenu(page);
  await header(page).signedOut.waitFor();
  expect(await header(page).userButton.count()).toBe(0);
  expect(await cookie(context, "__lk_uat")).toBe("0");
  expect(await cookie(context, "__lk_session")).toBeNull();

  // Signed out for the server too: the dashboard sends to sign-in.
  await page.goto("/dashboard");
  expect(new URL(page.url()).pathname).toBe("/sign-in");
});
