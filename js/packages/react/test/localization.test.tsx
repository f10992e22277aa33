import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/react";
import { en } from "../src/localization/en";
import { format, formatParts } from "../src/localization/format";
import { fr } from "../src/localization/fr";
import { mergeLocalization } from "../src/localization/resources";
import { useLocalization } from "../src/localization/use-localization";
import { AppearanceScope } from "../src/styling/appearance";

function keys(value: unknown, prefix = ""): string[] {
  if (typeof value !== "object" || value === null) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

function placeholders(value: string): string[] {
  return [...value.matchAll(/\{([a-zA-Z0-9_]+)\}/g)].map((m) => m[1] as string).sort();
}

// Codes only the Backend API or the command line give: no page shows them.
const backendOnly = new Set([
  "api_key_already_revoked",
  "authentication_invalid",
  "authorization_header_missing",
  "form_password_digest_invalid",
  "form_password_hasher_unsupported",
  "oauth_provider_exists",
  "setting_managed_by_file",
]);

// Codes the client gives itself (@latchkey/js), which pages show too.
const clientCodes = ["network_error", "response_invalid", "unexpected_error"];

describe("locales", () => {
  it("has a message for every error code of the server's catalog and the client a page can meet", () => {
    const catalog = readFileSync(path.resolve(import.meta.dirname, "../../../../testdata/error_codes.txt"), "utf8")
      .split("\n")
      .map((line) => line.trim())
      .filter((code) => code !== "" && !backendOnly.has(code));
    expect(catalog.length).toBeGreaterThan(40);
    const missing = [...catalog, ...clientCodes].filter((code) => !(code in en.errors));
    expect(missing).toEqual([]);
  });

  it("fr has exactly the keys of en, every string translated", () => {
    expect(keys(fr).sort()).toEqual(keys(en).sort());
    for (const key of keys(en)) {
      const value = key.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], fr);
      expect(typeof value, key).toBe("string");
      expect((value as string).trim(), key).not.toBe("");
    }
  });

  it("fr keeps the placeholders of every en string", () => {
    for (const key of keys(en)) {
      const get = (root: unknown) => key.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], root) as string;
      expect(placeholders(get(fr)), key).toEqual(placeholders(get(en)));
    }
  });

  it("fr differs from en where a French speaker would notice", () => {
    expect(fr.common.locale).toBe("fr");
    expect(fr.signIn.steps.identifier.title).not.toBe(en.signIn.steps.identifier.title);
    expect(fr.errors.form_password_incorrect).not.toBe(en.errors.form_password_incorrect);
  });
});

describe("mergeLocalization", () => {
  it("overrides single strings and keeps the rest", () => {
    const merged = mergeLocalization(en, { signIn: { steps: { identifier: { title: "Welcome back" } } } });
    expect(merged.signIn.steps.identifier.title).toBe("Welcome back");
    expect(merged.signIn.steps.identifier.subtitle).toBe(en.signIn.steps.identifier.subtitle);
    expect(merged.signUp).toBe(en.signUp);
  });

  it("throws localization_invalid for a value of the wrong shape", () => {
    expect(() => mergeLocalization(en, { signIn: "nope" } as never)).toThrowError(expect.objectContaining({ code: "localization_invalid", message: expect.stringContaining("localization.signIn must be an object of strings") }) as Error);
    expect(() => mergeLocalization(en, { signIn: { continue: { a: "b" } } } as never)).toThrowError(expect.objectContaining({ code: "localization_invalid" }) as Error);
  });

  it("nests scopes: provider locale, then component overrides", () => {
    function Title() {
      const t = useLocalization();
      return <p>{`${t.signIn.steps.identifier.title} / ${t.signIn.continue}`}</p>;
    }
    render(
      <AppearanceScope localization={fr}>
        <AppearanceScope localization={{ signIn: { continue: "Go" } }}>
          <Title />
        </AppearanceScope>
      </AppearanceScope>,
    );
    expect(screen.getByText("Connexion / Go")).toBeTruthy();
  });
});

describe("format", () => {
  it("fills {name} placeholders and leaves unknown ones visible", () => {
    expect(format("Hello {name}, {n} new", { name: "Ada", n: 3 })).toBe("Hello Ada, 3 new");
    expect(format("Hello {who}", {})).toBe("Hello {who}");
  });

  it("formatParts keeps the template's order around nodes", () => {
    const link = <a href="/t">terms</a>;
    expect(formatParts("J'accepte les {terms}.", { terms: link })).toEqual(["J'accepte les ", link, "."]);
    expect(formatParts("{a}{b}", { a: "x", b: "y" })).toEqual(["x", "y"]);
  });
});
