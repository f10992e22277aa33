// The section registry of <UserProfile />: which sections exist, on which
// page, in which order, and when each applies. It is the one place a
// capability adds its section: connected accounts (social sign-in), passkeys
// and MFA each add one entry here, whose `available` checks the user
// (user.external_accounts) or the environment setting that advertises the
// capability. A page shows only its available sections, and a page with none
// is left out of the navigation, so nothing appears before it exists.

import type { ComponentType } from "react";
import type { Environment, User } from "@latchkey/js";
import { ConnectedAccountsSection } from "./section-connected-accounts";
import { DeleteAccountSection } from "./section-delete-account";
import { DevicesSection } from "./section-devices";
import { EmailAddressesSection } from "./section-email-addresses";
import { PasswordSection } from "./section-password";
import { ProfileSection } from "./section-profile";

/** UserProfilePage is a page of the navigation. */
export type UserProfilePage = "profile" | "security";

/** userProfilePages are the pages in navigation order. */
export const userProfilePages: readonly UserProfilePage[] = ["profile", "security"];

/** SectionProps are what every section is rendered with. */
export interface SectionProps {
  user: User;
  environment: Environment;
  /** Where to go once the account is gone (delete). */
  afterSignOutUrl: string;
}

/** SectionContext is what decides whether a section applies. */
export interface SectionContext {
  user: User;
  environment: Environment;
}

/** SectionDefinition is one entry of the registry. */
export interface SectionDefinition {
  /** Stable name, also the section's data-section attribute. */
  id: string;
  page: UserProfilePage;
  /** Whether the instance and the user have what the section manages. */
  available: (context: SectionContext) => boolean;
  Component: ComponentType<SectionProps>;
}

export const sectionRegistry: readonly SectionDefinition[] = [
  { id: "profile", page: "profile", available: () => true, Component: ProfileSection },
  {
    id: "emailAddresses",
    page: "profile",
    available: ({ user, environment }) => environment.identifiers.email_address.enabled || user.email_addresses.length > 0,
    Component: EmailAddressesSection,
  },
  {
    id: "connectedAccounts",
    page: "profile",
    // The instance offers social sign-in: a user can connect an account, or
    // see and disconnect the ones connected.
    available: ({ environment }) => (environment.social ?? []).length > 0,
    Component: ConnectedAccountsSection,
  },
  { id: "password", page: "security", available: ({ environment }) => environment.password.enabled, Component: PasswordSection },
  { id: "devices", page: "security", available: () => true, Component: DevicesSection },
  { id: "deleteAccount", page: "security", available: ({ environment }) => environment.delete_self_enabled, Component: DeleteAccountSection },
];

/** sectionsOf lists the available sections of page, in order. */
export function sectionsOf(page: UserProfilePage, context: SectionContext, registry: readonly SectionDefinition[] = sectionRegistry): SectionDefinition[] {
  return registry.filter((s) => s.page === page && s.available(context));
}

/** pagesOf lists the pages that have at least one available section. */
export function pagesOf(context: SectionContext, registry: readonly SectionDefinition[] = sectionRegistry): UserProfilePage[] {
  return userProfilePages.filter((page) => sectionsOf(page, context, registry).length > 0);
}
