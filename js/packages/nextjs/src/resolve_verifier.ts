// The verification settings of one request: issuer, authorized parties
// and key source, from options and the environment.

import { LatchkeyNextError } from "./errors";
import { pemKeySource, remoteKeySource, type KeySource } from "./keys";
import { apiUrlOf, frontendApiOf, isAbsoluteHttpUrl, type LatchkeyEnvironment, type LatchkeyServerOptions } from "./options";

/** What a verification needs, resolved for one request. */
export interface ResolvedVerifier {
  issuer: string;
  authorizedParties: string[];
  keys: KeySource;
}

/**
 * resolveVerifier resolves the issuer, the authorized parties and the key
 * source. `origin` is the request's origin, for the default issuer. The key
 * source never comes from the request: a JWKS URL derived from the Host
 * header would let anyone name the keys that sign their own tokens.
 */
export function resolveVerifier(opts: LatchkeyServerOptions, env: LatchkeyEnvironment, origin: string | null): ResolvedVerifier {
  const frontendApi = frontendApiOf(opts, env);
  let issuer = opts.issuer ?? env.LATCHKEY_ISSUER;
  if (issuer === undefined) {
    if (isAbsoluteHttpUrl(frontendApi)) issuer = frontendApi;
    else if (process.env.NODE_ENV === "production") {
      // The request's Host header is the client's to choose; outside
      // development the issuer is configured, as the Go SDK requires.
      throw new LatchkeyNextError(
        "config_invalid",
        "Latchkey: set LATCHKEY_ISSUER to the Latchkey server's public URL (e.g. https://app.example.com/__latchkey): in production the token issuer is not guessed from the request's Host header",
      );
    } else if (origin !== null) issuer = origin + frontendApi;
    else {
      throw new LatchkeyNextError(
        "config_invalid",
        "Latchkey: cannot tell the token issuer: the request has no Host header; set LATCHKEY_ISSUER to the Latchkey server's public URL (e.g. https://app.example.com/__latchkey)",
      );
    }
  }
  const authorizedParties =
    opts.authorizedParties ??
    (env.LATCHKEY_AUTHORIZED_PARTIES ?? "")
      .split(",")
      .map((p) => p.trim())
      .filter((p) => p !== "");
  return { issuer, authorizedParties, keys: keySourceOf(opts, env) };
}

function keySourceOf(opts: LatchkeyServerOptions, env: LatchkeyEnvironment): KeySource {
  if (opts.publicKey !== undefined || opts.jwksUrl !== undefined) {
    return keySourceFrom(opts.publicKey, opts.jwksUrl, "the publicKey and jwksUrl options");
  }
  if (env.LATCHKEY_PUBLIC_KEY !== undefined || env.LATCHKEY_JWKS_URL !== undefined) {
    return keySourceFrom(env.LATCHKEY_PUBLIC_KEY, env.LATCHKEY_JWKS_URL, "LATCHKEY_PUBLIC_KEY and LATCHKEY_JWKS_URL");
  }
  const apiUrl = apiUrlOf(opts, env);
  if (apiUrl !== undefined) return remoteKeySource(`${apiUrl}/.well-known/jwks.json`);
  throw new LatchkeyNextError(
    "key_source_missing",
    "Latchkey: no key to verify session tokens with: set LATCHKEY_API_URL (where this server reaches Latchkey, e.g. http://127.0.0.1:8080), LATCHKEY_JWKS_URL, or LATCHKEY_PUBLIC_KEY",
  );
}

function keySourceFrom(publicKey: string | undefined, jwksUrl: string | undefined, names: string): KeySource {
  if (publicKey !== undefined && jwksUrl !== undefined) {
    throw new LatchkeyNextError("config_invalid", `Latchkey: set one of ${names}, not both`);
  }
  if (publicKey !== undefined) return pemKeySource(publicKey);
  const url = jwksUrl as string;
  if (!isAbsoluteHttpUrl(url)) {
    throw new LatchkeyNextError("config_invalid", `Latchkey: the JWKS URL ${JSON.stringify(url)} is not an absolute http(s) URL`);
  }
  return remoteKeySource(url);
}
