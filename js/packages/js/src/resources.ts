// The Frontend API's objects, as the server sends them (docs/api/frontend.md).
// Times are Unix milliseconds. Field names are the wire names (snake_case) so
// that a developer reading the network tab recognises them.

export interface Environment {
  object: "environment";
  environment: "development" | "production";
  publishable_key: string;
  identifiers: {
    email_address: IdentifierSetting;
    phone_number: IdentifierSetting;
    username: IdentifierSetting & { min_length: number; max_length: number };
  };
  name: { enabled: boolean; required: boolean };
  password: {
    enabled: boolean;
    required: boolean;
    min_length: number;
    max_length: number;
    policy: "default" | "nist";
  };
  sign_in: { first_factors: FirstFactorStrategy[] };
  sign_up: {
    mode: "public" | "restricted" | "waitlist";
    legal_consent_required: boolean;
    verifications: ("email_code" | "email_link")[];
  };
  session: { multi_session: boolean; token_lifetime_seconds: number };
  branding: {
    application_name: string;
    logo_url: string;
    primary_color: string;
    support_email: string;
  };
  delete_self_enabled: boolean;
  frontend_api_path: string;
  /**
   * The enabled social providers, in display order. Absent from servers
   * older than social sign-in: read it as `environment.social ?? []`.
   */
  social?: SocialProvider[];
}

/** SocialProvider is one enabled social connection of the instance. */
export interface SocialProvider {
  /** "google", "github", or a custom provider's key. */
  provider: string;
  strategy: OAuthStrategy;
  /** The name to show ("Google"). */
  name: string;
}

/** OAuthStrategy is the strategy of a social provider: "oauth_google", "oauth_github", ... */
export type OAuthStrategy = `oauth_${string}`;

export interface IdentifierSetting {
  enabled: boolean;
  required: boolean;
  used_for_sign_in: boolean;
}

export type FirstFactorStrategy =
  | "password"
  | "email_code"
  | "email_link"
  | "reset_password_email_code"
  | "reset_password_email_link";

export interface Verification {
  /**
   * "transferable": a social identity came back that belongs to no account
   * (on a sign-in) or to an existing one (on a sign-up); the other flow can
   * take it over with `{"transfer": true}`.
   */
  status: "unverified" | "verified" | "failed" | "expired" | "transferable";
  strategy: string;
  attempts: number | null;
  expire_at: number | null;
  verified_at?: number | null;
  /** For an oauth_* strategy: the provider's page the browser goes to (null once used). */
  external_verification_redirect_url?: string | null;
}

/** ExternalAccount is a social identity connected to a user. */
export interface ExternalAccount {
  object: "external_account";
  id: string;
  provider: string;
  provider_user_id: string;
  email_address: string;
  first_name: string | null;
  last_name: string | null;
  username: string | null;
  avatar_url: string | null;
  verification: Verification | null;
  created_at: number;
  updated_at: number;
}

export interface EmailAddress {
  object: "email_address";
  id: string;
  email_address: string;
  verification: Verification | null;
  linked_to: unknown[];
  created_at: number;
  updated_at: number;
}

export interface User {
  object: "user";
  id: string;
  external_id: string | null;
  username: string | null;
  first_name: string | null;
  last_name: string | null;
  image_url: string;
  has_image: boolean;
  primary_email_address_id: string | null;
  primary_phone_number_id: string | null;
  password_enabled: boolean;
  two_factor_enabled: boolean;
  email_addresses: EmailAddress[];
  phone_numbers: unknown[];
  external_accounts: ExternalAccount[];
  public_metadata: Record<string, unknown>;
  unsafe_metadata: Record<string, unknown>;
  banned: boolean;
  locked: boolean;
  lockout_expires_in_seconds: number | null;
  last_sign_in_at: number | null;
  password_last_updated_at: number | null;
  created_at: number;
  updated_at: number;
}

export type SessionStatus = "active" | "ended" | "revoked" | "expired" | "removed";

export interface Session {
  object: "session";
  id: string;
  status: SessionStatus;
  last_active_at: number;
  expire_at: number;
  abandon_at: number | null;
  user?: User;
  created_at: number;
  updated_at: number;
}

/** A session as listed by GET /v1/me/sessions: one signed-in device. */
export interface Device {
  object: "session";
  id: string;
  status: SessionStatus;
  current: boolean;
  browser_name: string;
  os_name: string;
  device_type: string;
  ip_address: string;
  city: string;
  country: string;
  last_active_at: number;
  created_at: number;
}

export interface FirstFactor {
  strategy: FirstFactorStrategy;
  safe_identifier?: string;
  email_address_id?: string;
}

export type SignInStatus =
  | "needs_identifier"
  | "needs_first_factor"
  | "needs_second_factor"
  | "needs_new_password"
  | "complete";

export interface SignIn {
  object: "sign_in";
  id: string;
  status: SignInStatus;
  identifier: string | null;
  supported_identifiers: string[];
  supported_first_factors: FirstFactor[];
  supported_second_factors: null;
  first_factor_verification: Verification | null;
  second_factor_verification: null;
  created_session_id: string | null;
  expire_at: number;
  created_at: number;
  updated_at: number;
}

export type SignUpField =
  | "email_address"
  | "phone_number"
  | "username"
  | "password"
  | "first_name"
  | "last_name"
  | "legal_accepted";

export interface SignUp {
  object: "sign_up";
  id: string;
  status: "missing_requirements" | "complete" | "abandoned";
  required_fields: SignUpField[];
  optional_fields: SignUpField[];
  missing_fields: SignUpField[];
  unverified_fields: SignUpField[];
  verifications: { email_address: Verification | null; external_account?: Verification | null };
  username: string | null;
  email_address: string | null;
  phone_number: string | null;
  first_name: string | null;
  last_name: string | null;
  has_password: boolean;
  unsafe_metadata: Record<string, unknown>;
  legal_accepted_at: number | null;
  created_user_id: string | null;
  created_session_id: string | null;
  abandon_at: number;
  expire_at: number;
  created_at: number;
  updated_at: number;
}

export interface Client {
  object: "client";
  id: string;
  sessions: Session[];
  sign_in: SignIn | null;
  sign_up: SignUp | null;
  last_active_session_id: string | null;
  created_at: number;
  updated_at: number;
}

/** The wire shape of one error (`{"errors":[...],"trace_id":...}`). */
export interface ApiErrorItem {
  code: string;
  message: string;
  long_message?: string;
  meta?: { param_name?: string };
}
