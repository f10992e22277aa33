// The type of localized resources and how overrides are merged into them.

import { UsageError } from "../usage-error";
import type { en } from "./en";

/** Resources is every string the components show, by component. */
export type Resources = typeof en;

/** DeepPartial makes every key optional at every depth. */
export type DeepPartial<T> = { [K in keyof T]?: T[K] extends string ? string : DeepPartial<T[K]> };

/**
 * Localization overrides any subset of the strings: a whole locale
 * (localization={fr}) or a few keys ({ signIn: { steps: { identifier: { title: "Welcome back" } } } }).
 */
export type Localization = DeepPartial<Resources>;

/**
 * mergeLocalization returns base with every string of override put in.
 * Unknown keys are ignored; a key whose type differs (a string where the base
 * has a group, or the reverse) throws, as it is always a mistake.
 */
export function mergeLocalization(base: Resources, override: Localization | undefined): Resources {
  if (!override) return base;
  return mergeGroup(base as unknown as Group, override as unknown as Group, "") as unknown as Resources;
}

interface Group {
  [key: string]: string | Group | undefined;
}

function mergeGroup(base: Group, override: Group, path: string): Group {
  const out: Group = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value === undefined || !(key in base)) continue;
    const current = base[key];
    const where = path ? `${path}.${key}` : key;
    if (typeof current === "string") {
      if (typeof value !== "string") throw invalid(where, "a string");
      out[key] = value;
    } else if (current !== undefined) {
      if (typeof value !== "object" || value === null) throw invalid(where, "an object of strings");
      out[key] = mergeGroup(current, value, where);
    }
  }
  return out;
}

function invalid(path: string, expected: string): UsageError {
  return new UsageError("localization_invalid", `localization.${path} must be ${expected}`);
}
