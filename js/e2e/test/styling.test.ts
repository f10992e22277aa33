import type { Locator, Page } from "playwright-core";
import { expect, test } from "vitest";
import { newContext, useBrowser } from "../src/browser";
import { skinRulesMatching } from "../src/skin-rules";
import { submit, typeIdentifier } from "../src/ui";

const browser = useBrowser();

const compared = ["background-color", "color", "padding-top", "padding-left", "border-top-width", "border-top-left-radius", "font-size"] as const;

async function computed(locator: Locator): Promise<Record<string, string>> {
  return locator.evaluate((el, properties) => {
    const style = getComputedStyle(el);
    return Object.fromEntries(properties.map((p) => [p, style.getPropertyValue(p)]));
  }, compared as unknown as string[]);
}

/** probe renders an element with the given class outside any Latchkey component and reads its style. */
async function probe(page: Page, tag: string, className: string): Promise<Record<string, string>> {
  const handle = await page.evaluateHandle(
    ([t, c]) => {
      const el = document.createElement(t as string);
      el.className = c as string;
      el.textContent = "probe";
      document.body.append(el);
      return el;
    },
    [tag, className],
  );
  const style = await handle.evaluate((el, properties) => {
    const s = getComputedStyle(el as Element);
    return Object.fromEntries(properties.map((p) => [p, s.getPropertyValue(p)]));
  }, compared as unknown as string[]);
  await handle.evaluate((el) => (el as Element).remove());
  return style;
}

async function open(path: string) {
  const context = await newContext(browser());
  const page = await context.newPage();
  await page.goto(path);
  const button = submit(page, "signIn");
  // The form appears once the client has loaded: hydrated, styles applied.
  await button.waitFor();
  return { page, button };
}

/** The skin's own submit button, for comparison. */
async function skinSubmit(): Promise<Record<string, string>> {
  const { button } = await open("/sign-in");
  return computed(button);
}

test("a Tailwind utility on a part overrides the skin", async () => {
  const skin = await skinSubmit();
  const { page, button } = await open("/themed/tailwind");
  await expect(button.getAttribute("class")).resolves.toMatch(/(^| )lk-signIn-submit( |$)/);
  await expect(button.getAttribute("class")).resolves.toMatch(/(^| )bg-emerald-600( |$)/);
  const own = await probe(page, "div", "bg-emerald-600");
  const style = await computed(button);
  expect(style["background-color"]).toBe(own["background-color"]);
  expect(style["background-color"]).not.toBe(skin["background-color"]);
  // The rest of the skin still applies to the button.
  expect(style["border-top-left-radius"]).toBe(skin["border-top-left-radius"]);
});

test("a CSS module class on a part overrides the skin", async () => {
  const skin = await skinSubmit();
  const { button } = await open("/themed/css-modules");
  const style = await computed(button);
  expect(style["background-color"]).toBe("rgb(234, 88, 12)");
  expect(skin["background-color"]).not.toBe("rgb(234, 88, 12)");
  expect(style["padding-top"]).toBe(skin["padding-top"]);
});

test("a CSS-in-JS (emotion) class on a part overrides the skin", async () => {
  const skin = await skinSubmit();
  const { button } = await open("/themed/emotion");
  await expect(button.getAttribute("class")).resolves.toMatch(/(^| )css-[a-z0-9]+( |$)/);
  const style = await computed(button);
  expect(style["background-color"]).toBe("rgb(219, 39, 119)");
  expect(skin["background-color"]).not.toBe("rgb(219, 39, 119)");
});

test("appearance.variables restyle one component through --lk-* properties", async () => {
  const { page, button } = await open("/themed");
  const root = page.locator(".lk-signIn-root");
  await expect(root.evaluate((el) => (el as HTMLElement).style.getPropertyValue("--lk-color-primary"))).resolves.toBe("#0f766e");
  expect((await computed(button))["background-color"]).toBe("rgb(15, 118, 110)");
});

test("unstyled leaves no skin rule applied", async () => {
  // The checker finds the skin where it is on, so it can fail.
  const styled = await open("/sign-in");
  expect((await skinRulesMatching(styled.page.locator(".lk-signIn-root"))).length).toBeGreaterThan(0);

  const { page, button } = await open("/themed/unstyled");
  const root = page.locator(".lk-signIn-root");
  await expect(root.getAttribute("data-lk-unstyled")).resolves.not.toBeNull();
  await expect(root.getAttribute("class")).resolves.toMatch(/(^| )lk-root( |$)/);
  expect(await skinRulesMatching(root)).toEqual([]);
  // The button looks like any unstyled button on the page.
  expect(await computed(button)).toEqual(await probe(page, "button", ""));
  await expect(button.getAttribute("class")).resolves.toMatch(/(^| )lk-signIn-submit( |$)/);
});

test("a swapped SubmitButton renders in place and still submits the form", async () => {
  const { page, button } = await open("/themed/slots");
  await expect(button.getAttribute("data-brand-button")).resolves.toBe("");
  await expect(button.textContent()).resolves.toContain("→");
  await typeIdentifier(page, "someone@example.com");
  await page.getByLabel("Password", { exact: true }).waitFor();
  await expect(submit(page, "signIn").getAttribute("data-brand-button")).resolves.toBe("");
});
