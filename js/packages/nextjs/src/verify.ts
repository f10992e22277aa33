// Verification of one session token, step for step as Verifier.Verify in
// sdk/go/verifier.go, so that both SDKs give the same reason for the same
// token: shape and algorithm, key, signature, claims, then issuer and azp,
// then time. Issuer and azp come before time so that "expired" always
// means "would be fine if it were fresh", which is what makes a handshake
// worthwhile.

import { compactVerify, errors } from "jose";
import { decodeBase64Url } from "./base64url";
import { parseClaims, type ParsedClaims, type SessionClaims } from "./claims";
import { decodeSignature, splitJws } from "./jws";
import type { KeySource } from "./keys";
import type { Reason } from "./reasons";

/** DEFAULT_LEEWAY_SECONDS absorbs clock skew in the exp, nbf and iat checks. */
export const DEFAULT_LEEWAY_SECONDS = 5;

/** What a verification checks a token against. */
export interface VerifierConfig {
  /** The server's public URL; iss must equal it exactly. */
  issuer: string;
  /** Origins allowed in azp; empty accepts any azp. A token without azp is always accepted. */
  authorizedParties: readonly string[];
  keys: KeySource;
  /** Defaults to DEFAULT_LEEWAY_SECONDS. */
  leewaySeconds?: number;
  /** The clock in milliseconds, for tests. */
  now?: () => number;
}

/** The outcome of a verification: claims only with "session-token-valid". */
export type Verification =
  | { reason: "session-token-valid"; claims: SessionClaims; parsed: ParsedClaims }
  | { reason: Exclude<Reason, "session-token-valid">; claims: null; parsed: null };

const refused = (reason: Exclude<Reason, "session-token-valid">): Verification => ({ reason, claims: null, parsed: null });

/**
 * verifySessionToken checks a session token and returns its claims with
 * "session-token-valid", or the reason it was refused. It never throws for
 * a bad token; it throws only for a configuration error (an unusable PEM
 * key). It knows nothing of cookies: the __lk_uat staleness check and the
 * handshake belong to authenticate().
 */
export async function verifySessionToken(token: string, config: VerifierConfig): Promise<Verification> {
  if (token === "") return refused("session-token-missing");
  const nowMs = (config.now ?? Date.now)();
  let parsed = config.keys.cache.get(token);
  if (parsed === undefined) {
    const outcome = await verifySignature(token, config.keys);
    if (typeof outcome === "string") return refused(outcome);
    parsed = outcome;
    config.keys.cache.put(token, parsed, Math.floor(nowMs / 1000));
  }
  if (parsed.iss !== config.issuer) return refused("session-token-iss-mismatch");
  if (parsed.azp !== "" && config.authorizedParties.length > 0 && !config.authorizedParties.includes(parsed.azp)) {
    return refused("azp-not-authorized");
  }
  const leeway = config.leewaySeconds ?? DEFAULT_LEEWAY_SECONDS;
  if (nowMs >= (parsed.exp + leeway) * 1000) return refused("session-token-expired");
  const from = Math.max(parsed.iat, parsed.nbf ?? parsed.iat) - leeway;
  if (nowMs < from * 1000) return refused("session-token-not-active-yet");
  return { reason: "session-token-valid", claims: parsed.claims, parsed };
}

/** verifySignature checks everything that does not depend on the configuration or the clock. */
async function verifySignature(token: string, keys: KeySource): Promise<ParsedClaims | Exclude<Reason, "session-token-valid">> {
  const jws = splitJws(token);
  if (typeof jws === "string") return jws as Exclude<Reason, "session-token-valid">;
  const key = await keys.key(jws.kid);
  if (typeof key === "string") return key as Exclude<Reason, "session-token-valid">;
  if (decodeSignature(jws.signature) === null) return "session-token-signature-invalid";
  try {
    await compactVerify(token, key, { algorithms: ["ES256"] });
  } catch (e) {
    return e instanceof errors.JWSSignatureVerificationFailed ? "session-token-signature-invalid" : "session-token-malformed";
  }
  const payload = decodeBase64Url(jws.payload);
  if (payload === null) return "session-token-malformed";
  return parseClaims(payload) ?? "session-token-malformed";
}
