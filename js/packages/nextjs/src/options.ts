// Configuration: options passed in code win over environment variables.
// The variables are read with literal `process.env.NAME` expressions so that
// Next.js sees which ones Edge middleware uses and provides them there.

import { LatchkeyNextError } from "./errors";

/** Options shared by latchkeyMiddleware(), auth() and currentUser(). Each overrides its environment variable. */
export interface LatchkeyServerOptions {
  /** The Latchkey server's public URL, exactly as in the tokens' iss (LATCHKEY_ISSUER). Default: the request's origin + frontendApi, or frontendApi when it is absolute. */
  issuer?: string;
  /** The JWKS URL (LATCHKEY_JWKS_URL). Default: `${apiUrl}/.well-known/jwks.json`. */
  jwksUrl?: string;
  /** A PEM "PUBLIC KEY" to verify with no network (LATCHKEY_PUBLIC_KEY). Not together with jwksUrl. */
  publicKey?: string;
  /** Origins allowed in a token's azp (LATCHKEY_AUTHORIZED_PARTIES, comma-separated). Empty accepts any. */
  authorizedParties?: string[];
  /** Where browsers reach the Frontend API (NEXT_PUBLIC_LATCHKEY_FRONTEND_API): a path on this app, default "/__latchkey", or an absolute URL. */
  frontendApi?: string;
  /** Where this server reaches Latchkey directly (LATCHKEY_API_URL), e.g. http://127.0.0.1:8080. */
  apiUrl?: string;
  /** The Backend API secret key, sk_... (LATCHKEY_SECRET_KEY), for currentUser(). */
  secretKey?: string;
  /** The sign-in page (NEXT_PUBLIC_LATCHKEY_SIGN_IN_URL), default "/sign-in". */
  signInUrl?: string;
}

/** The environment variables this package reads. */
export interface LatchkeyEnvironment {
  LATCHKEY_API_URL?: string;
  LATCHKEY_SECRET_KEY?: string;
  LATCHKEY_ISSUER?: string;
  LATCHKEY_JWKS_URL?: string;
  LATCHKEY_PUBLIC_KEY?: string;
  LATCHKEY_AUTHORIZED_PARTIES?: string;
  LATCHKEY_DEBUG?: string;
  NEXT_PUBLIC_LATCHKEY_FRONTEND_API?: string;
  NEXT_PUBLIC_LATCHKEY_SIGN_IN_URL?: string;
}

/** readEnvironment returns the variables, empty ones left out; nothing where there is no process (a bare Web runtime). */
export function readEnvironment(): LatchkeyEnvironment {
  if (typeof process === "undefined" || process.env === undefined) return {};
  const env: Record<string, string | undefined> = {
    LATCHKEY_API_URL: process.env.LATCHKEY_API_URL,
    LATCHKEY_SECRET_KEY: process.env.LATCHKEY_SECRET_KEY,
    LATCHKEY_ISSUER: process.env.LATCHKEY_ISSUER,
    LATCHKEY_JWKS_URL: process.env.LATCHKEY_JWKS_URL,
    LATCHKEY_PUBLIC_KEY: process.env.LATCHKEY_PUBLIC_KEY,
    LATCHKEY_AUTHORIZED_PARTIES: process.env.LATCHKEY_AUTHORIZED_PARTIES,
    LATCHKEY_DEBUG: process.env.LATCHKEY_DEBUG,
    NEXT_PUBLIC_LATCHKEY_FRONTEND_API: process.env.NEXT_PUBLIC_LATCHKEY_FRONTEND_API,
    NEXT_PUBLIC_LATCHKEY_SIGN_IN_URL: process.env.NEXT_PUBLIC_LATCHKEY_SIGN_IN_URL,
  };
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== "") out[name] = value.trim();
  }
  return out;
}

/** DEFAULT_FRONTEND_API is where the app proxies Latchkey on its own origin. */
export const DEFAULT_FRONTEND_API = "/__latchkey";
/** DEFAULT_SIGN_IN_URL is the sign-in page of the app. */
export const DEFAULT_SIGN_IN_URL = "/sign-in";

/** frontendApiOf returns the Frontend API base without a trailing slash. */
export function frontendApiOf(opts: LatchkeyServerOptions, env: LatchkeyEnvironment): string {
  const name = opts.frontendApi !== undefined ? "the frontendApi option" : "NEXT_PUBLIC_LATCHKEY_FRONTEND_API";
  const value = opts.frontendApi ?? env.NEXT_PUBLIC_LATCHKEY_FRONTEND_API ?? DEFAULT_FRONTEND_API;
  checkRedirectTarget(name, value);
  return value.replace(/\/+$/, "");
}

/** signInUrlOf returns the sign-in page URL. */
export function signInUrlOf(opts: LatchkeyServerOptions, env: LatchkeyEnvironment): string {
  const name = opts.signInUrl !== undefined ? "the signInUrl option" : "NEXT_PUBLIC_LATCHKEY_SIGN_IN_URL";
  const value = opts.signInUrl ?? env.NEXT_PUBLIC_LATCHKEY_SIGN_IN_URL ?? DEFAULT_SIGN_IN_URL;
  checkRedirectTarget(name, value);
  return value;
}

/** signInRedirect is the sign-in page URL with redirect_url=back added to its query. */
export function signInRedirect(signInUrl: string, back: string): string {
  const sep = signInUrl.includes("?") ? "&" : "?";
  return `${signInUrl}${sep}redirect_url=${encodeURIComponent(back)}`;
}

/** debugOf reports whether debug headers are on (LATCHKEY_DEBUG=1 or true). */
export function debugOf(debug: boolean | undefined, env: LatchkeyEnvironment): boolean {
  if (debug !== undefined) return debug;
  const v = (env.LATCHKEY_DEBUG ?? "").toLowerCase();
  return v === "1" || v === "true";
}

/** apiUrlOf returns LATCHKEY_API_URL (or the apiUrl option) without a trailing slash, checked. */
export function apiUrlOf(opts: { apiUrl?: string }, env: LatchkeyEnvironment): string | undefined {
  const value = opts.apiUrl ?? env.LATCHKEY_API_URL;
  if (value === undefined) return undefined;
  if (!isAbsoluteHttpUrl(value)) {
    const name = opts.apiUrl !== undefined ? "the apiUrl option" : "LATCHKEY_API_URL";
    throw new LatchkeyNextError("config_invalid", `Latchkey: ${name} ${JSON.stringify(value)} is not an absolute http(s) URL (e.g. http://127.0.0.1:8080)`);
  }
  return value.replace(/\/+$/, "");
}

/** isAbsoluteHttpUrl reports whether s is an absolute http or https URL with a host. */
export function isAbsoluteHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === "http:" || u.protocol === "https:") && u.host !== "";
  } catch {
    return false;
  }
}

/** checkRedirectTarget accepts an absolute http(s) URL or a path starting with one "/", without a fragment. */
export function checkRedirectTarget(name: string, value: string): void {
  const ok =
    !value.includes("#") &&
    (isAbsoluteHttpUrl(value) || (value.startsWith("/") && !value.startsWith("//") && !value.includes("\\")));
  if (!ok) {
    throw new LatchkeyNextError(
      "config_invalid",
      `Latchkey: ${name} ${JSON.stringify(value)} must be an absolute http(s) URL or a path starting with /`,
    );
  }
}
