// @vitest-environment node
// The default skin's contract: every rule inside @layer latchkey, every
// selector inside :where() (zero specificity, so any app rule wins), only
// --lk-* custom properties defined, and the variables generated from the
// tokens file.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildSkin, skinFiles } from "../scripts/skin.mjs";
import { collectTokens, renderCSS, renderTS } from "../scripts/tokens.mjs";
import { outsideWhere, parseCSS } from "./css";

const skinDir = new URL("../src/skin/", import.meta.url);

function checkSheet(text: string): string[] {
  const problems: string[] = [];
  const sheet = parseCSS(text);
  for (const statement of sheet.statements) {
    if (statement !== "@layer latchkey") problems.push(`top-level statement ${statement}`);
  }
  if (sheet.rules.length === 0) problems.push("no rules");
  for (const rule of sheet.rules) {
    const where = rule.selectors.join(", ");
    if (rule.context[0] !== "@layer latchkey") problems.push(`${where}: not inside @layer latchkey (inside ${rule.context.join(" > ") || "nothing"})`);
    for (const extra of rule.context.slice(1)) {
      if (!extra.startsWith("@media") && !extra.startsWith("@supports")) problems.push(`${where}: inside ${extra}`);
    }
    for (const selector of rule.selectors) {
      const rest = outsideWhere(selector).replace(/::[a-z-]+/g, "").trim();
      if (!selector.startsWith(":where(") || rest !== "") problems.push(`selector not wholly inside :where(): ${selector}`);
    }
    for (const { property } of rule.declarations) {
      if (property.startsWith("--") && !property.startsWith("--lk-")) problems.push(`${where}: defines ${property}, not an --lk-* property`);
    }
  }
  return problems;
}

describe("skin", () => {
  const files = skinFiles();

  it("has the variables, the base and the files of each component", () => {
    expect(files.slice(0, 2)).toEqual(["variables.css", "base.css"]);
    expect(files).toContain("sign-in.css");
    expect(files).toContain("sign-up.css");
  });

  it.each(files)("%s keeps every rule in @layer latchkey under :where()", (file) => {
    expect(checkSheet(readFileSync(new URL(file, skinDir), "utf8"))).toEqual([]);
  });

  it("the built skin.css does too", () => {
    expect(checkSheet(buildSkin())).toEqual([]);
  });

  it("the checker catches a rule outside the layer, a bare selector and a foreign custom property", () => {
    expect(checkSheet(".lk-signIn-root { color: red; }")).toEqual([expect.stringContaining("not inside @layer latchkey"), expect.stringContaining("not wholly inside :where()")]);
    expect(checkSheet("@layer latchkey { :where(.a) .b { color: red; } }")).toEqual([expect.stringContaining("not wholly inside :where()")]);
    expect(checkSheet("@layer latchkey { :where(.a) { --primary: red; } }")).toEqual([expect.stringContaining("defines --primary")]);
    expect(checkSheet("@layer other { :where(.a) { color: red; } }")).toEqual([expect.stringContaining("not inside @layer latchkey")]);
  });

  it("defaults every color variable to a shadcn variable or a literal, never hsl() around one", () => {
    const css = readFileSync(new URL("variables.css", skinDir), "utf8");
    expect(css).toContain("--lk-color-primary: var(--primary, #18181b);");
    expect(css).not.toMatch(/hsl\(var\(/);
  });
});

describe("design tokens", () => {
  const tokens = JSON.parse(readFileSync(new URL("../tokens/latchkey.tokens.json", import.meta.url), "utf8"));

  it("generated variables.css and variables.ts are up to date", () => {
    const list = collectTokens(tokens);
    expect(readFileSync(new URL("variables.css", skinDir), "utf8")).toBe(renderCSS(list));
    expect(readFileSync(new URL("../src/styling/variables.ts", import.meta.url), "utf8")).toBe(renderTS(list));
  });

  it("maps token paths to appearance keys and --lk-* names", () => {
    const list = collectTokens(tokens);
    const primary = list.find((t: { key: string }) => t.key === "colorPrimaryForeground");
    expect(primary).toMatchObject({ cssName: "--lk-color-primary-foreground", value: "#fafafa", fallback: "--primary-foreground" });
  });

  it("rejects a token without a type or with a bad value", () => {
    expect(() => collectTokens({ a: { $value: 1 } })).toThrow(/a: token has no \$type/);
    expect(() => collectTokens({ a: { $type: "dimension", $value: "1rem" } })).toThrow(/dimensions must be/);
    expect(() => collectTokens({ a: { $type: "color", $value: { hex: "#fff" } } })).toThrow(/colors must be/);
  });
});
