// Wire objects for tests, shaped like the Frontend API's (docs/api/frontend.md).

import type { Device, EmailAddress, Environment, ExternalAccount, Session, SignIn, SignUp, User } from "@latchkey/js";

const t0 = 1_700_000_000_000;

type DeepPartial<T> = { [K in keyof T]?: T[K] extends unknown[] ? T[K] : T[K] extends object | null ? DeepPartial<T[K]> : T[K] };

export function makeEnvironment(overrides: DeepPartial<Environment> = {}): Environment {
  const base: Environment = {
    object: "environment",
    environment: "development",
    publishable_key: "pk_test_fake",
    identifiers: {
      email_address: { enabled: true, required: true, used_for_sign_in: true },
      phone_number: { enabled: false, required: false, used_for_sign_in: false },
      username: { enabled: false, required: false, used_for_sign_in: false, min_length: 4, max_length: 64 },
    },
    name: { enabled: true, required: false },
    password: { enabled: true, required: true, min_length: 8, max_length: 1024, policy: "default" },
    sign_in: { first_factors: ["password", "email_code", "email_link", "reset_password_email_code", "reset_password_email_link"] },
    sign_up: { mode: "public", legal_consent_required: false, verifications: ["email_code", "email_link"] },
    session: { multi_session: false, token_lifetime_seconds: 60 },
    branding: { application_name: "Acme", logo_url: "", primary_color: "", support_email: "" },
    delete_self_enabled: true,
    frontend_api_path: "/v1",
  };
  return deepMerge(base, overrides);
}

export function makeEmailAddress(overrides: Partial<EmailAddress> = {}): EmailAddress {
  return {
    object: "email_address",
    id: "idn_email_1",
    email_address: "ada@example.com",
    verification: { status: "verified", strategy: "email_code", attempts: null, expire_at: null, verified_at: t0 },
    linked_to: [],
    created_at: t0,
    updated_at: t0,
    ...overrides,
  };
}

/** The built-in providers a social environment enables, in display order. */
export const socialProviders: NonNullable<Environment["social"]> = [
  { provider: "google", strategy: "oauth_google", name: "Google" },
  { provider: "github", strategy: "oauth_github", name: "GitHub" },
  { provider: "acme_sso", strategy: "oauth_acme_sso", name: "Acme SSO" },
];

export function makeExternalAccount(overrides: Partial<ExternalAccount> = {}): ExternalAccount {
  const provider = overrides.provider ?? "google";
  return {
    object: "external_account",
    id: `eac_${provider}`,
    provider,
    provider_user_id: "1234",
    email_address: "ada@example.com",
    first_name: "Ada",
    last_name: "Lovelace",
    username: null,
    avatar_url: null,
    verification: { status: "verified", strategy: `oauth_${provider}`, attempts: null, expire_at: null, external_verification_redirect_url: null },
    created_at: t0,
    updated_at: t0,
    ...overrides,
  };
}

export function makeUser(overrides: Partial<User> = {}): User {
  return {
    object: "user",
    id: "user_1",
    external_id: null,
    username: null,
    first_name: "Ada",
    last_name: "Lovelace",
    image_url: "",
    has_image: false,
    primary_email_address_id: "idn_email_1",
    primary_phone_number_id: null,
    password_enabled: true,
    two_factor_enabled: false,
    email_addresses: [makeEmailAddress()],
    phone_numbers: [],
    external_accounts: [],
    public_metadata: {},
    unsafe_metadata: {},
    banned: false,
    locked: false,
    lockout_expires_in_seconds: null,
    last_sign_in_at: t0,
    password_last_updated_at: t0,
    created_at: t0,
    updated_at: t0,
    ...overrides,
  };
}

export function makeSession(user: User, overrides: Partial<Session> = {}): Session {
  return {
    object: "session",
    id: "sess_1",
    status: "active",
    last_active_at: t0,
    expire_at: t0 + 7 * 24 * 3600_000,
    abandon_at: null,
    user,
    created_at: t0,
    updated_at: t0,
    ...overrides,
  };
}

export function makeDevice(overrides: Partial<Device> = {}): Device {
  return {
    object: "session",
    id: "sess_1",
    status: "active",
    current: true,
    browser_name: "Chrome",
    os_name: "macOS",
    device_type: "desktop",
    ip_address: "203.0.113.7",
    city: "",
    country: "",
    last_active_at: t0,
    created_at: t0,
    ...overrides,
  };
}

export function makeSignIn(identifier: string, overrides: Partial<SignIn> = {}): SignIn {
  const masked = maskEmail(identifier);
  const email = identifier.includes("@");
  return {
    object: "sign_in",
    id: "sia_1",
    status: "needs_first_factor",
    identifier,
    supported_identifiers: [email ? "email_address" : "username"],
    supported_first_factors: email
      ? [
          { strategy: "password" },
          { strategy: "email_code", safe_identifier: masked },
          { strategy: "email_link", safe_identifier: masked },
          { strategy: "reset_password_email_code", safe_identifier: masked },
          { strategy: "reset_password_email_link", safe_identifier: masked },
        ]
      : [{ strategy: "password" }],
    supported_second_factors: null,
    first_factor_verification: null,
    second_factor_verification: null,
    created_session_id: null,
    expire_at: t0 + 1800_000,
    created_at: t0,
    updated_at: t0,
    ...overrides,
  };
}

export function makeSignUp(overrides: Partial<SignUp> = {}): SignUp {
  return {
    object: "sign_up",
    id: "sua_1",
    status: "missing_requirements",
    required_fields: ["email_address", "password"],
    optional_fields: ["first_name", "last_name"],
    missing_fields: [],
    unverified_fields: ["email_address"],
    verifications: { email_address: null },
    username: null,
    email_address: null,
    phone_number: null,
    first_name: null,
    last_name: null,
    has_password: false,
    unsafe_metadata: {},
    legal_accepted_at: null,
    created_user_id: null,
    created_session_id: null,
    abandon_at: t0 + 24 * 3600_000,
    expire_at: t0 + 24 * 3600_000,
    created_at: t0,
    updated_at: t0,
    ...overrides,
  };
}

function maskEmail(address: string): string {
  const at = address.indexOf("@");
  return at > 0 ? `${address[0]}***${address.slice(at)}` : address;
}

function deepMerge<T>(base: T, overrides: unknown): T {
  if (typeof overrides !== "object" || overrides === null || Array.isArray(overrides)) return (overrides ?? base) as T;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    const current = out[key];
    out[key] = typeof current === "object" && current !== null && !Array.isArray(current) ? deepMerge(current, value) : value;
  }
  return out as T;
}
