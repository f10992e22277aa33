// From a request to an authentication decision (mirrors Verifier.Authenticate
// in sdk/go/verifier.go).

import type { SessionClaims } from "./claims";
import type { Reason } from "./reasons";
import { refreshable } from "./reasons";
import { bearerToken, clientUat, handshakeEligible, latchkeyCookies, type HeaderReader } from "./request";
import { verifySessionToken, type VerifierConfig } from "./verify";

/** The outcome of authenticating a request. */
export interface AuthState {
  /** True only with "session-token-valid". */
  isSignedIn: boolean;
  /** sub and sid when signed in, else null. */
  userId: string | null;
  sessionId: string | null;
  /** The verified claims when signed in, else null. */
  claims: SessionClaims | null;
  /** The verified token when signed in, else null. */
  token: string | null;
  reason: Reason;
  /**
   * True when the request is a page load of a signed-in client (positive
   * __lk_uat) whose token is missing, expired or older than __lk_uat: a
   * redirect through the server's handshake will come back with a fresh
   * token. The middleware performs it.
   */
  handshake: boolean;
}

/** What authenticate reads of a request. */
export interface RequestFacts {
  headers: HeaderReader;
  /** The method, when the request may be a page load; undefined never hands off to the handshake. */
  method?: string;
  /** The request's __lk_hs query value (the loop guard), or null. */
  handshakeParam?: string | null;
}

/**
 * authenticate finds the request's session token and verifies it.
 *
 * The token comes from "Authorization: Bearer <jwt>" if present (a
 * non-browser caller: no cookie rules apply), else from the __lk_session
 * cookie. For a cookie token and a positive __lk_uat, a token minted before
 * __lk_uat is stale ("token-iat-before-client-uat"). A missing, expired or
 * stale token of a signed-in client on a GET or HEAD page load sets
 * `handshake`, unless the request already came back from a handshake
 * (__lk_hs=1), which gives "handshake-loop" instead.
 */
export async function authenticate(req: RequestFacts, config: VerifierConfig): Promise<AuthState> {
  const bearer = bearerToken(req.headers);
  const cookies = bearer === null ? latchkeyCookies(req.headers) : null;
  const token = bearer ?? cookies?.session ?? "";
  const v = await verifySessionToken(token, config);
  let reason: Reason = v.reason;
  if (cookies !== null) {
    const uat = clientUat(cookies.uat);
    if (v.parsed !== null && uat > 0 && v.parsed.iat < uat) reason = "token-iat-before-client-uat";
    if (uat > 0 && refreshable(reason) && req.method !== undefined && handshakeEligible(req.method, req.headers)) {
      if (req.handshakeParam === "1") reason = "handshake-loop";
      else return signedOut(reason, true);
    }
  }
  if (reason !== "session-token-valid" || v.claims === null) return signedOut(reason, false);
  return {
    isSignedIn: true,
    userId: v.claims.sub,
    sessionId: typeof v.claims.sid === "string" ? v.claims.sid : null,
    claims: v.claims,
    token,
    reason,
    handshake: false,
  };
}

function signedOut(reason: Reason, handshake: boolean): AuthState {
  return { isSignedIn: false, userId: null, sessionId: null, claims: null, token: null, reason, handshake };
}
