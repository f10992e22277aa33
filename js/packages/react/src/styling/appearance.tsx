// Appearance is how an app restyles the components without forking them:
// design tokens, extra classes and inline styles per part, an opt-out of the
// default skin, and layout options. Scopes nest: the provider's appearance,
// then each component's, merged so the innermost wins.

import { createContext, useContext, useMemo, type CSSProperties, type ReactNode } from "react";
import { en } from "../localization/en";
import { mergeLocalization, type Localization, type Resources } from "../localization/resources";
import type { PartName } from "../parts/registry";
import type { Slots } from "./slots";
import type { Variables } from "./variables";

/** Layout holds options that change what is rendered, not how it looks. */
export interface Layout {
  /** Show the logo in the card's header ("inside", the default) or not at all ("none"). */
  logoPlacement?: "inside" | "none";
  /** A logo URL used instead of the instance's branding.logo_url. */
  logoImageUrl?: string;
  /** Where the sign-up consent checkbox's "Terms of Service" links to. */
  termsPageUrl?: string;
  /** Where the sign-up consent checkbox's "Privacy Policy" links to. */
  privacyPageUrl?: string;
  /** Show sign-up fields the instance allows but does not require (default true). */
  showOptionalFields?: boolean;
  /** Where <SignIn /> and <SignUp /> show the social buttons: above the form ("top", the default) or below it. */
  socialButtonsPlacement?: "top" | "bottom";
  /** Social buttons with the provider's mark and "Continue with <provider>" ("block", the default), or a row of marks ("icon"). */
  socialButtonsVariant?: "block" | "icon";
}

/** Appearance restyles the components; see docs/guides/styling.md. */
export interface Appearance {
  /** Design tokens, applied as --lk-* custom properties on each component's root. */
  variables?: Partial<Variables>;
  /** Extra classes per part, added after the part class ("lk-signIn-submit"). */
  classNames?: Partial<Record<PartName, string>>;
  /** Inline styles per part. */
  styles?: Partial<Record<PartName, CSSProperties>>;
  /** Drop the default skin: no rule of skin.css applies inside the component. */
  unstyled?: boolean;
  layout?: Layout;
}

/** Scope is what AppearanceScope provides: merged appearance, slots and strings. */
export interface Scope {
  appearance: Appearance;
  components: Partial<Slots>;
  t: Resources;
}

const rootScope: Scope = { appearance: {}, components: {}, t: en };

export const ScopeContext = createContext<Scope>(rootScope);

/**
 * mergeAppearance puts inner over outer: classNames are concatenated (outer
 * first), styles and variables and layout merged key by key, and unstyled
 * taken from inner when set.
 */
export function mergeAppearance(outer: Appearance, inner: Appearance | undefined): Appearance {
  if (!inner) return outer;
  const merged: Appearance = {
    variables: { ...outer.variables, ...inner.variables },
    classNames: mergeClassNames(outer.classNames, inner.classNames),
    styles: mergeStyles(outer.styles, inner.styles),
    layout: { ...outer.layout, ...inner.layout },
  };
  const unstyled = inner.unstyled ?? outer.unstyled;
  if (unstyled !== undefined) merged.unstyled = unstyled;
  return merged;
}

function mergeClassNames(a: Appearance["classNames"], b: Appearance["classNames"]): Appearance["classNames"] {
  const out: Record<string, string> = { ...a };
  for (const [part, value] of Object.entries(b ?? {})) {
    if (!value) continue;
    const before = out[part];
    out[part] = before ? `${before} ${value}` : value;
  }
  return out;
}

function mergeStyles(a: Appearance["styles"], b: Appearance["styles"]): Appearance["styles"] {
  const out: Record<string, CSSProperties> = { ...a };
  for (const [part, value] of Object.entries(b ?? {})) {
    if (value) out[part] = { ...out[part], ...value };
  }
  return out;
}

export interface AppearanceScopeProps {
  appearance?: Appearance | undefined;
  components?: Partial<Slots> | undefined;
  localization?: Localization | undefined;
  children?: ReactNode;
}

/**
 * AppearanceScope merges appearance, slot components and localization into
 * the enclosing scope for its children. The provider opens the outermost
 * scope; each drop-in opens one with its own props.
 */
export function AppearanceScope({ appearance, components, localization, children }: AppearanceScopeProps) {
  const outer = useContext(ScopeContext);
  const scope = useMemo<Scope>(
    () => ({
      appearance: mergeAppearance(outer.appearance, appearance),
      components: components ? { ...outer.components, ...components } : outer.components,
      t: mergeLocalization(outer.t, localization),
    }),
    [outer, appearance, components, localization],
  );
  return <ScopeContext.Provider value={scope}>{children}</ScopeContext.Provider>;
}

/** useAppearance returns the merged appearance of the enclosing scopes. */
export function useAppearance(): Appearance {
  return useContext(ScopeContext).appearance;
}
