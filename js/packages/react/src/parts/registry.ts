// The parts registry: the single source of truth for every part class the
// components render. A test renders every component in every step and fails
// when an element has no part class or uses a part that is not listed here,
// and when a listed part never appears.

import { commonParts } from "./common";
import { signInParts } from "./sign-in";
import { signUpParts } from "./sign-up";
import { userButtonParts } from "./user-button";
import { userProfileParts } from "./user-profile";

/** partsRegistry lists the parts of each component, by component key. */
export const partsRegistry = {
  signIn: signInParts,
  signUp: signUpParts,
  userButton: userButtonParts,
  userProfile: userProfileParts,
  common: commonParts,
} as const;

type Registry = typeof partsRegistry;

/** ComponentKey is the first half of a part name ("signIn"). */
export type ComponentKey = keyof Registry;

/** PartName is "<componentKey>-<part>", for example "signIn-submit". */
export type PartName = { [K in ComponentKey]: `${K}-${Registry[K][number]}` }[ComponentKey];

/** partClass is the class an element with the part carries: "lk-signIn-submit". */
export function partClass(name: PartName): string {
  return "lk-" + name;
}

/** allPartNames lists every part name of the registry. */
export function allPartNames(): PartName[] {
  const names: string[] = [];
  for (const [component, parts] of Object.entries(partsRegistry)) {
    for (const part of parts) names.push(`${component}-${part}`);
  }
  return names as PartName[];
}

/** isPartName reports whether name is a part of the registry. */
export function isPartName(name: string): name is PartName {
  const dash = name.indexOf("-");
  if (dash < 0) return false;
  const parts = (partsRegistry as Record<string, readonly string[]>)[name.slice(0, dash)];
  return parts !== undefined && parts.includes(name.slice(dash + 1));
}
