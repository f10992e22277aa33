// auth(): who is signed in, for server components, route handlers and
// server actions. next/headers and next/navigation are loaded here only, on
// first use, so the middleware's code path stays Web APIs and jose.

import type { SessionClaims } from "./claims";
import { authenticate } from "./authenticate";
import { readEnvironment, signInRedirect, signInUrlOf, type LatchkeyServerOptions } from "./options";
import { resolveVerifier } from "./resolve_verifier";
import type { Reason } from "./reasons";
import { hasAuthorization, type AuthorizationCheck } from "@latchkey/js";
import { requestOrigin, type HeaderReader } from "./request";
import { REQUEST_URL_HEADER } from "./middleware_header";

/** A role and/or permission check against the token's claims. */
export type AccessCheck = AuthorizationCheck;

/** Auth is the request's authentication, as returned by auth(). */
export interface Auth {
  isSignedIn: boolean;
  /** The user ID ("user_..."), or null when signed out. */
  userId: string | null;
  /** The session ID ("sess_..."), or null when signed out. */
  sessionId: string | null;
  /** The verified token claims, or null when signed out. */
  claims: SessionClaims | null;
  /** Why: "session-token-valid" when signed in, else the reason it is not. */
  reason: Reason;
  /** The verified session token, to call your own APIs with; null when signed out. */
  getToken(): Promise<string | null>;
  /** has reports whether the token grants the role and/or permission (see hasAccess); false when signed out. */
  has(check: AccessCheck): boolean;
  /**
   * redirectToSignIn ends rendering with a redirect to the sign-in page,
   * with redirect_url back to returnBackUrl, or to the page the middleware
   * saw. It never returns.
   */
  redirectToSignIn(opts?: { returnBackUrl?: string }): never;
}

/**
 * auth verifies the request's session token, from the __lk_session and
 * __lk_uat cookies or an "Authorization: Bearer" header, exactly as the
 * middleware does (the same reasons), and never throws for a bad token: it
 * is signed out with its reason. It throws a LatchkeyNextError only for a
 * configuration error. The handshake is the middleware's: here an expired
 * token is simply signed out.
 */
export async function auth(options: LatchkeyServerOptions = {}): Promise<Auth> {
  const [{ headers }, { redirect }] = await nextModules();
  return authFromHeaders(await headers(), options, redirect);
}

let loaded: Promise<[typeof import("next/headers"), typeof import("next/navigation")]> | undefined;

/** nextModules loads next/headers and next/navigation once, on the first auth(). */
function nextModules() {
  loaded ??= Promise.all([import("next/headers"), import("next/navigation")]);
  return loaded;
}

/** authFromHeaders is auth() for given request headers; `redirect` is next/navigation's. */
export async function authFromHeaders(
  headers: HeaderReader,
  options: LatchkeyServerOptions,
  redirect: (url: string) => never,
): Promise<Auth> {
  const env = readEnvironment();
  const state = await authenticate({ headers }, resolveVerifier(options, env, requestOrigin(headers)));
  const signInUrl = signInUrlOf(options, env);
  return {
    isSignedIn: state.isSignedIn,
    userId: state.userId,
    sessionId: state.sessionId,
    claims: state.claims,
    reason: state.reason,
    getToken: async () => state.token,
    has: (check) => hasAccess(state.claims, check),
    redirectToSignIn(opts) {
      const back = opts?.returnBackUrl ?? headers.get(REQUEST_URL_HEADER);
      if (back === null || back === "") return redirect(signInUrl);
      return redirect(signInRedirect(signInUrl, back));
    },
  };
}

/**
 * hasAccess checks a role and/or a permission against the claims, with the
 * rule @latchkey/react's <Protect> and useAuth().has use (hasAuthorization
 * of @latchkey/js): roles and permissions of the active organization (claim
 * "o": { role, permissions }) or, for apps without organizations, top-level
 * "role" and "permissions" claims from a claims template. Every check given
 * must hold; false when signed out.
 */
export function hasAccess(claims: SessionClaims | null, check: AccessCheck): boolean {
  return hasAuthorization(claims, check);
}
