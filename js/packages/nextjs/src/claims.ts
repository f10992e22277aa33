// Strict reading of a session token's claims (mirrors parseClaims in
// sdk/go/claims.go): registered claims must have their JSON type, exp, iat
// and sub are required, and no claim may appear twice.

import { objectMembers } from "./json_members";
import { rawString } from "./jws";

/**
 * SessionClaims are the verified claims of a session token, as the server
 * sent them: the registered claims below plus any custom claims of the
 * instance's claims template. Read-only.
 */
export interface SessionClaims {
  /** The Latchkey server's public URL. */
  iss?: string;
  /** The user ID, "user_...". */
  sub: string;
  /** The session ID, "sess_...". */
  sid?: string;
  /** The origin that asked for the token; absent when a server minted it (the handshake, the Backend API). */
  azp?: string;
  /** Unix seconds. */
  iat: number;
  nbf?: number;
  exp: number;
  jti?: string;
  /** Claims version, 1. */
  v?: number;
  /** [minutes since the first factor, minutes since the second factor or -1]. */
  fva?: [number, number];
  /** The active organization, when organizations exist. */
  o?: Record<string, unknown> | null;
  /** The impersonator, when someone is impersonating. */
  act?: Record<string, unknown> | null;
  [claim: string]: unknown;
}

/** The claims with their times as whole Unix seconds, as the checks use them. */
export interface ParsedClaims {
  claims: SessionClaims;
  iss: string;
  azp: string;
  iat: number;
  /** null when the token has no nbf. */
  nbf: number | null;
  exp: number;
}

/** MAX_NUMERIC_DATE bounds iat, nbf and exp to the year 9999. */
const MAX_NUMERIC_DATE = 253402300799;
const MAX_INT32 = 2147483647;
const INTEGER = /^-?[0-9]+$/;

/** parseClaims reads a decoded token payload; it returns null when the payload is malformed. */
export function parseClaims(payload: Uint8Array): ParsedClaims | null {
  const members = objectMembers(payload);
  if (members === null) return null;
  const claims: Record<string, unknown> = {};
  let iss = "";
  let sub = "";
  let azp = "";
  let iat: number | null = null;
  let nbf: number | null = null;
  let exp: number | null = null;
  for (const { name, raw } of members) {
    switch (name) {
      case "iss":
      case "sub":
      case "sid":
      case "azp":
      case "jti": {
        const s = rawString(raw);
        if (s === null) return null;
        if (name === "iss") iss = s;
        else if (name === "sub") sub = s;
        else if (name === "azp") azp = s;
        break;
      }
      case "iat":
      case "nbf":
      case "exp": {
        const t = numericDate(raw);
        if (t === null) return null;
        if (name === "iat") iat = t;
        else if (name === "nbf") nbf = t;
        else exp = t;
        break;
      }
      case "v": {
        if (!INTEGER.test(raw)) return null;
        const n = Number(raw);
        if (n < 0 || n > MAX_INT32) return null;
        break;
      }
      case "fva":
        if (!validFva(raw)) return null;
        break;
      case "o":
      case "act":
        if (raw !== "null" && !raw.startsWith("{")) return null;
        break;
    }
    // __proto__ and friends are stored as own data properties, never as a prototype.
    // Values are frozen all the way down: verified claims are cached and
    // shared by every request carrying the same token.
    Object.defineProperty(claims, name, { value: deepFreeze(JSON.parse(raw)), enumerable: true, writable: false, configurable: false });
  }
  if (exp === null || iat === null || sub === "") return null;
  return { claims: claims as SessionClaims, iss, azp, iat, nbf, exp };
}

/** deepFreeze freezes a parsed JSON value and everything in it. */
function deepFreeze<T>(v: T): T {
  if (typeof v === "object" && v !== null) {
    for (const child of Object.values(v)) deepFreeze(child);
    Object.freeze(v);
  }
  return v;
}

/**
 * numericDate reads a NumericDate (RFC 7519 §2): seconds since the epoch,
 * possibly fractional, truncated to whole seconds, between 0 and the year 9999.
 */
function numericDate(raw: string): number | null {
  const c = raw.charCodeAt(0);
  if (!(c === 45 || (c >= 48 && c <= 57))) return null; // "-" or a digit: a JSON number
  const f = Number(raw);
  if (!Number.isFinite(f) || f < 0 || f > MAX_NUMERIC_DATE) return null;
  return Math.trunc(f) + 0; // + 0 turns -0 into 0
}

/** validFva reports whether raw is a JSON array of exactly two integers in [-1, 2^31-1]. */
function validFva(raw: string): boolean {
  if (raw.length < 2 || !raw.startsWith("[")) return false;
  const inner = raw.slice(1, -1);
  const comma = inner.indexOf(",");
  if (comma < 0) return false;
  for (const part of [inner.slice(0, comma), inner.slice(comma + 1)]) {
    const p = part.replace(/^[ \t\n\r]+|[ \t\n\r]+$/g, "");
    if (!INTEGER.test(p)) return false;
    const n = Number(p);
    if (n < -1 || n > MAX_INT32) return false;
  }
  return true;
}
