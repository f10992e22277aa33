// Real ES256 keys and tokens for the tests, made with jose and Web Crypto.

import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWK, type JWTPayload } from "jose";

export const ISSUER = "http://localhost:3000/__latchkey";
export const APP_ORIGIN = "http://localhost:3000";

export interface TestKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  jwk: JWK;
  pem: string;
}

let counter = 0;

/** newKey generates an ES256 key pair with a fresh kid. */
export async function newKey(kid = `kid_test_${++counter}`): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: "ES256", use: "sig" };
  return { kid, privateKey, publicKey, jwk, pem: await exportSPKI(publicKey) };
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** claimsFor returns the claims of a fresh token as the server mints them (60 s). */
export function claimsFor(overrides: JWTPayload & Record<string, unknown> = {}): JWTPayload & Record<string, unknown> {
  const iat = nowSeconds();
  return {
    iss: ISSUER,
    sub: "user_2abc",
    sid: "sess_2abc",
    azp: APP_ORIGIN,
    iat,
    nbf: iat - 5,
    exp: iat + 60,
    jti: "jti_1",
    v: 1,
    fva: [0, -1],
    ...overrides,
  };
}

/** mint signs claims with jose, as the Latchkey server does (ES256, kid, typ JWT). */
export async function mint(key: TestKey, overrides: JWTPayload & Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(claimsFor(overrides)).setProtectedHeader({ alg: "ES256", kid: key.kid, typ: "JWT" }).sign(key.privateKey);
}

export function b64url(data: string | Uint8Array): string {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  return Buffer.from(bytes).toString("base64url");
}

/**
 * signRaw signs an exact header and payload text, for tokens jose would not
 * make: duplicate claims, wrong types, odd headers.
 */
export async function signRaw(key: TestKey, headerJson: string, payloadJson: string): Promise<string> {
  const input = `${b64url(headerJson)}.${b64url(payloadJson)}`;
  const sig = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key.privateKey, new TextEncoder().encode(input));
  return `${input}.${b64url(new Uint8Array(sig))}`;
}

/** header returns the JSON of a Latchkey token header for key. */
export function header(key: TestKey, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ alg: "ES256", kid: key.kid, typ: "JWT", ...extra });
}
