import { expect, test } from "vitest";
import { seriousViolations } from "../src/axe";
import { createUser, strongPassword } from "../src/backend";
import { e2e, newContext, useBrowser } from "../src/browser";
import { inboxMark, nextMessage, onlyCode, onlyLink } from "../src/inbox";
import { signInWithPassword, submit, tabTo, typeIdentifier, userButtonFor } from "../src/ui";

const browser = useBrowser();

test("signs in with a password", async () => {
  const user = await createUser("Ada");
  const context = await newContext(browser());
  const page = await context.newPage();
  await page.goto("/sign-in");

  const identifier = page.getByLabel("Email address");
  await expect(identifier.getAttribute("autocomplete")).resolves.toBe("username");
  expect(await seriousViolations(page)).toEqual([]);
  await typeIdentifier(page, user.email);

  const password = page.getByLabel("Password", { exact: true });
  await password.waitFor();
  await expect(password.getAttribute("autocomplete")).resolves.toBe("current-password");
  await expect(password.getAttribute("type")).resolves.toBe("password");
  expect(await seriousViolations(page)).toEqual([]);

  // A wrong password first: the error is shown on the field, nothing else happens.
  await password.fill("not-the-right-password-1");
  await submit(page, "signIn").click();
  await expect.poll(() => password.getAttribute("aria-invalid"), { timeout: 10_000 }).toBe("true");
  expect(await seriousViolations(page)).toEqual([]);

  await password.fill(user.password);
  await submit(page, "signIn").click();
  // Signed in, the card goes on to its afterSignInUrl, the dashboard.
  await page.waitForURL((url) => url.pathname === "/dashboard");
  await userButtonFor(page, "Ada").waitFor();
  await expect(page.getByTestId("signed-in-as").textContent()).resolves.toBe("Signed in as Ada");
});

test("signs in with the keyboard alone", async () => {
  const user = await createUser("Kay");
  const context = await newContext(browser());
  const page = await context.newPage();
  await page.goto("/sign-in");

  const identifier = page.getByLabel("Email address");
  await identifier.waitFor();
  await tabTo(page, identifier);
  await page.keyboard.type(user.email);
  await page.keyboard.press("Enter");

  const password = page.getByLabel("Password", { exact: true });
  await password.waitFor();
  await tabTo(page, password);
  await page.keyboard.type(user.password);
  await page.keyboard.press("Enter");
  await userButtonFor(page, "Kay").waitFor();
});

test("signs in with a magic link opened in the same browser", async () => {
  const user = await createUser("Cleo");
  const context = await newContext(browser());
  const page = await context.newPage();
  await page.goto("/sign-in");
  await typeIdentifier(page, user.email);

  await page.getByRole("button", { name: "Use another method" }).click();
  expect(await seriousViolations(page)).toEqual([]);
  const seen = await inboxMark(user.email);
  await page.getByRole("button", { name: /sign-in link/ }).click();
  await page.getByText("Open the link in the email to continue").waitFor();
  expect(await seriousViolations(page)).toEqual([]);

  const link = onlyLink(await nextMessage(user.email, "magic_link", seen));
  expect(new URL(link).origin).toBe(e2e().appUrl);
  const linkPage = await context.newPage();
  await linkPage.goto(link);

  // Both the tab that opened the link and the one that waited are signed in.
  await linkPage.waitForURL((url) => url.pathname === "/dashboard");
  await userButtonFor(linkPage, "Cleo").waitFor();
  await userButtonFor(page, "Cleo").waitFor({ timeout: 30_000 });
  await expect(linkPage.getByTestId("signed-in-as").textContent()).resolves.toBe("Signed in as Cleo");
});

test("resets a forgotten password with a mailed code", async () => {
  const user = await createUser("Dora");
  const context = await newContext(browser());
  const page = await context.newPage();
  await page.goto("/sign-in");
  await typeIdentifier(page, user.email);

  await page.getByRole("button", { name: "Forgot password?" }).click();
  expect(await seriousViolations(page)).toEqual([]);
  const seen = await inboxMark(user.email);
  await page.getByRole("button", { name: /code to reset my password/ }).click();

  const code = page.getByLabel("Verification code");
  await code.waitFor();
  await expect(code.getAttribute("autocomplete")).resolves.toBe("one-time-code");
  expect(await seriousViolations(page)).toEqual([]);
  await code.fill(onlyCode(await nextMessage(user.email, "password_reset_code", seen)));

  const newPassword = page.getByLabel("New password");
  await newPassword.waitFor();
  await expect(newPassword.getAttribute("autocomplete")).resolves.toBe("new-password");
  expect(await seriousViolations(page)).toEqual([]);
  const replacement = strongPassword();
  await newPassword.fill(replacement);
  await submit(page, "signIn").click();
  await userButtonFor(page, "Dora").waitFor();

  // The new password is the one that works now.
  const other = await newContext(browser());
  const otherPage = await other.newPage();
  await otherPage.goto("/sign-in");
  await signInWithPassword(otherPage, user.email, replacement);
  await userButtonFor(otherPage, "Dora").waitFor();
});

test("a signed-out visit to /dashboard goes to sign-in and comes back after it", async () => {
  const user = await createUser("Eve");
  const context = await newContext(browser());
  const page = await context.newPage();
  await page.goto("/dashboard");

  const signInUrl = new URL(page.url());
  expect(signInUrl.pathname).toBe("/sign-in");
  expect(signInUrl.searchParams.get("redirect_url")).toBe(`${e2e().appUrl}/dashboard`);

  await signInWithPassword(page, user.email, user.password);
  await page.waitForURL((url) => url.pathname === "/dashboard");
  await expect(page.getByTestId("signed-in-as").textContent()).resolves.toBe("Signed in as Eve");
});
