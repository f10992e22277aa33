import { expect, test } from "vitest";
import { seriousViolations } from "../src/axe";
import { createUser, signInContext } from "../src/backend";
import { newContext, useBrowser } from "../src/browser";
import { header, tabTo, userButtonFor } from "../src/ui";

const browser = useBrowser();

test("editing the profile updates the name in the header's user button", async () => {
  const user = await createUser("Lena");
  const context = await newContext(browser());
  await signInContext(context, user, "/");
  const page = await context.newPage();
  await page.goto("/account");
  await userButtonFor(page, "Lena").waitFor();
  expect(await seriousViolations(page)).toEqual([]);

  await page.getByRole("button", { name: "Edit profile" }).click();
  const firstName = page.getByLabel("First name");
  await firstName.waitFor();
  await expect(firstName.getAttribute("autocomplete")).resolves.toBe("given-name");
  expect(await seriousViolations(page)).toEqual([]);
  await firstName.fill("Grace");
  await page.locator(".lk-userProfile-submit").click();

  await userButtonFor(page, "Grace").waitFor();
  expect(await userButtonFor(page, "Lena").count()).toBe(0);
  await page.goto("/dashboard");
  await expect(page.getByTestId("signed-in-as").textContent()).resolves.toBe("Signed in as Grace");
});

test("every section of the user profile passes axe", async () => {
  const user = await createUser("Mia");
  const context = await newContext(browser());
  await signInContext(context, user, "/");
  const page = await context.newPage();
  await page.goto("/account");
  const nav = page.locator(".lk-userProfile-navItem");
  // The navigation appears once the client has loaded the environment.
  await nav.first().waitFor();
  const pages = await nav.evaluateAll((items) => items.map((item) => item.getAttribute("data-page") ?? ""));
  expect(pages).toEqual(expect.arrayContaining(["profile", "security"]));
  for (const name of pages) {
    await page.locator(`.lk-userProfile-navItem[data-page="${name}"]`).click();
    await page.locator(`.lk-userProfile-content[data-page="${name}"]`).waitFor();
    await page.locator(".lk-userProfile-loading").first().waitFor({ state: "hidden" });
    expect(await seriousViolations(page), name).toEqual([]);
  }
});

test("the user menu works with the keyboard", async () => {
  const user = await createUser("Noor");
  const context = await newContext(browser());
  await signInContext(context, user, "/");
  const page = await context.newPage();
  await page.goto("/");
  const trigger = header(page).userButton;
  await trigger.waitFor();

  await tabTo(page, trigger);
  await page.keyboard.press("Enter");
  const menu = page.getByRole("menu");
  await menu.waitFor();
  expect(await seriousViolations(page)).toEqual([]);
  // Focus moved into the menu; Escape closes it and gives focus back.
  expect(await menu.evaluate((el) => el.contains(document.activeElement))).toBe(true);
  await page.keyboard.press("Escape");
  await menu.waitFor({ state: "hidden" });
  expect(await trigger.evaluate((el) => el === document.activeElement)).toBe(true);

  // Reopen and go to the account page with the keyboard only.
  await page.keyboard.press("Enter");
  await menu.waitFor();
  const manage = menu.getByRole("menuitem", { name: "Manage account" });
  for (let i = 0; i < 10 && !(await manage.evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press("ArrowDown");
  }
  await page.keyboard.press("Enter");
  await page.waitForURL((url) => url.pathname === "/account");
});
