/**
 * Reason explains an authentication decision with a stable code, the same
 * codes as the Go SDK (sdk/go/reason.go) and the sessions guide. Exactly
 * one means signed in: "session-token-valid". The codes are an API: they
 * appear in the Latchkey-Auth-Reason header in debug mode and are never
 * renamed.
 */
export type Reason =
  /** The token verified and is fresh. */
  | "session-token-valid"
  /** No token. With a positive __lk_uat a page load goes through the handshake. */
  | "session-token-missing"
  /** Not a compact JWS, bad base64url or JSON, duplicate or wrong-typed claims, a crit header, longer than 8 KiB. */
  | "session-token-malformed"
  /** An algorithm other than ES256 (none, HS256, RS256, ...), refused before any key is looked at. */
  | "session-token-alg-not-allowed"
  /** No published key has the token's kid, even after refetching the JWKS, or the token has no kid. */
  | "session-token-kid-unknown"
  /** Tampered with, or signed by another key. */
  | "session-token-signature-invalid"
  /** Past exp plus the leeway: routine, page loads of a signed-in client go through the handshake. */
  | "session-token-expired"
  /** nbf or iat in the future beyond the leeway: a clock problem. */
  | "session-token-not-active-yet"
  /** iss is not exactly the configured issuer. */
  | "session-token-iss-mismatch"
  /** azp is present and not one of the authorized parties. */
  | "azp-not-authorized"
  /** A valid cookie token minted before the client's last sign-in, sign-out or switch (__lk_uat). */
  | "token-iat-before-client-uat"
  /** Came back from the handshake (__lk_hs=1) still without a usable token: signed out, no second redirect. */
  | "handshake-loop"
  /** The key set could not be fetched when it was needed. */
  | "jwks-unavailable";

/** Every reason, in the order of the sessions guide (for tests and tooling). */
export const REASONS: readonly Reason[] = [
  "session-token-valid",
  "session-token-missing",
  "session-token-expired",
  "token-iat-before-client-uat",
  "handshake-loop",
  "session-token-malformed",
  "session-token-alg-not-allowed",
  "session-token-kid-unknown",
  "session-token-signature-invalid",
  "session-token-not-active-yet",
  "session-token-iss-mismatch",
  "azp-not-authorized",
  "jwks-unavailable",
];

/**
 * refreshable reports whether a fresh token from the handshake would fix
 * the reason. A forged, foreign or malformed token is not papered over.
 */
export function refreshable(reason: Reason): boolean {
  return reason === "session-token-missing" || reason === "session-token-expired" || reason === "token-iat-before-client-uat";
}
