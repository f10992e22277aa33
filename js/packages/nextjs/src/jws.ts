// The shape of a compact JWS, checked before any key is chosen (mirrors
// splitJWS and parseHeader in sdk/go). The algorithm is decided here, from
// the header alone, so no other algorithm can ever be tried with a Latchkey
// key: "none", HS256 keyed with the public key's bytes, RS256, ...

import { decodeBase64Url, isBase64UrlChar } from "./base64url";
import { objectMembers } from "./json_members";
import type { Reason } from "./reasons";

/** MAX_TOKEN_BYTES is the longest token read; a longer one is malformed without being decoded. */
export const MAX_TOKEN_BYTES = 8 << 10;

/** The parts of a compact JWS, with the header read. */
export interface Jws {
  kid: string;
  /** The payload, still base64url: decoded only after the signature checks. */
  payload: string;
  signature: string;
}

/** splitJws checks the shape and header of tok; it returns a Reason when tok must be refused. */
export function splitJws(tok: string): Jws | Reason {
  if (tok.length > MAX_TOKEN_BYTES) return "session-token-malformed";
  let dots = 0;
  for (let i = 0; i < tok.length; i++) {
    const c = tok.charCodeAt(i);
    if (c === 46) dots++;
    else if (!isBase64UrlChar(c)) return "session-token-malformed";
  }
  if (dots !== 2) return "session-token-malformed";
  const [h = "", p = "", s = ""] = tok.split(".");
  if (h === "" || p === "") return "session-token-malformed";
  const headerBytes = decodeBase64Url(h);
  if (headerBytes === null) return "session-token-malformed";
  const header = parseHeader(headerBytes);
  if (header === null) return "session-token-malformed";
  if (header.alg !== "ES256") return "session-token-alg-not-allowed";
  return { kid: header.kid, payload: p, signature: s };
}

/**
 * parseHeader reads alg (required), kid and typ (strings when present, typ
 * "JWT" if any) and refuses a crit header: a recipient must reject critical
 * extensions it does not understand (RFC 7515 §4.1.11), and it understands
 * none. jku, jwk, x5u and x5c are ignored: keys come only from the
 * verifier's own configuration.
 */
function parseHeader(bytes: Uint8Array): { alg: string; kid: string } | null {
  const members = objectMembers(bytes);
  if (members === null) return null;
  let alg: string | null = null;
  let kid = "";
  for (const { name, raw } of members) {
    switch (name) {
      case "alg":
      case "kid":
      case "typ": {
        const v = rawString(raw);
        if (v === null) return null;
        if (name === "alg") alg = v;
        else if (name === "kid") kid = v;
        else if (v !== "" && v !== "JWT" && v !== "jwt") return null;
        break;
      }
      case "crit":
        return null;
    }
  }
  if (alg === null) return null;
  return { alg, kid };
}

/** rawString decodes raw if it is a JSON string, else returns null. */
export function rawString(raw: string): string | null {
  if (!raw.startsWith('"')) return null;
  return JSON.parse(raw) as string;
}

/** decodeSignature returns the 64-byte r||s of an ES256 signature, or null. */
export function decodeSignature(signature: string): Uint8Array | null {
  if (signature.length !== 86) return null; // 64 bytes, unpadded base64url
  const sig = decodeBase64Url(signature);
  return sig !== null && sig.length === 64 ? sig : null;
}
