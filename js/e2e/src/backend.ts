// The Backend API (/api/v1, secret key) for setting up what a test is not
// about: an existing user, a browser already signed in.

import { randomBytes } from "node:crypto";
import type { BrowserContext } from "playwright-core";
import { e2e } from "./browser";

async function backend<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${e2e().latchkeyUrl}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${e2e().secretKey}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} /api/v1${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  firstName: string;
}

/** uniqueEmail is an address no other test uses (rate limits count per address). */
export function uniqueEmail(label: string): string {
  return `${label}-${randomBytes(4).toString("hex")}@example.com`;
}

/**
 * strongPassword is long, random and on no breached-password list. Its
 * random part is digits only, so it can never contain a test user's name
 * (form_password_personal_info).
 */
export function strongPassword(): string {
  const digits = Array.from(randomBytes(12), (b) => String(b % 10)).join("");
  return `Tangerine-${digits}`;
}

/** createUser makes a user with a verified email address and a password. */
export async function createUser(firstName: string): Promise<TestUser> {
  const email = uniqueEmail(firstName.toLowerCase());
  const password = strongPassword();
  const user = await backend<{ id: string }>("POST", "/users", { email_address: [email], password, first_name: firstName });
  return { id: user.id, email, password, firstName };
}

/**
 * signInContext signs a browser context in as user through a one-time
 * sign-in token (the link an operator would mail), landing on path.
 */
export async function signInContext(context: BrowserContext, user: TestUser, path = "/dashboard"): Promise<void> {
  const token = await backend<{ url: string }>("POST", "/sign_in_tokens", {
    user_id: user.id,
    expires_in_seconds: 300,
    redirect_url: `${e2e().appUrl}${path}`,
  });
  const page = await context.newPage();
  await page.goto(token.url);
  await page.waitForURL((url) => url.pathname === path);
  await page.close();
}

/** deleteUser deletes a user (DELETE /api/v1/users/{id}). */
export async function deleteUser(id: string): Promise<void> {
  await backend<unknown>("DELETE", `/users/${encodeURIComponent(id)}`);
}

export interface WebhookEndpoint {
  id: string;
  url: string;
  /** The signing secret (whsec_...). */
  secret: string;
}

/** createWebhookEndpoint adds a webhook endpoint (POST /api/v1/webhooks/endpoints). */
export async function createWebhookEndpoint(body: { url: string; event_types: string[]; secret?: string }): Promise<WebhookEndpoint> {
  return backend<WebhookEndpoint>("POST", "/webhooks/endpoints", body);
}

/** sessionStatus reads a session's status through the Backend API. */
export async function sessionStatus(sessionId: string): Promise<string> {
  return (await backend<{ status: string }>("GET", `/sessions/${sessionId}`)).status;
}

export interface OAuthProvider {
  id: string;
  strategy: string;
  name: string;
  enabled: boolean;
}

/** createOAuthProvider configures a social sign-in provider (POST /api/v1/oauth_providers). */
export async function createOAuthProvider(body: Record<string, unknown>): Promise<OAuthProvider> {
  return backend<OAuthProvider>("POST", "/oauth_providers", body);
}

/** deleteOAuthProvider removes a provider (DELETE /api/v1/oauth_providers/{id}). */
export async function deleteOAuthProvider(id: string): Promise<void> {
  await backend<unknown>("DELETE", `/oauth_providers/${encodeURIComponent(id)}`);
}

export interface ExternalAccount {
  id: string;
  provider: string;
  provider_user_id: string;
  email_address: string;
}

/** externalAccounts lists a user's connected social accounts, as the Backend API shows the user. */
export async function externalAccounts(userId: string): Promise<ExternalAccount[]> {
  return (await backend<{ external_accounts: ExternalAccount[] }>("GET", `/users/${encodeURIComponent(userId)}`)).external_accounts;
}
