// Where the public keys come from: the server's JWKS (cached per URL for the
// life of the module, so every request shares one fetch) or one PEM key (no
// network). Web APIs and jose only, so this runs on the Edge runtime.

import { createLocalJWKSet, createRemoteJWKSet, errors, importSPKI, type JSONWebKeySet } from "jose";
import { LatchkeyNextError } from "./errors";
import type { Reason } from "./reasons";
import { TokenCache } from "./token_cache";

/** KeySource finds the key for a token's kid and holds the verified-token cache of its keys. */
export interface KeySource {
  key(kid: string): Promise<CryptoKey | Reason>;
  readonly cache: TokenCache;
}

/** JWKS_MAX_AGE_MS is how long a fetched key set is used before the next verification refetches it. */
const JWKS_MAX_AGE_MS = 60 * 60 * 1000;
/** JWKS_COOLDOWN_MS is the least time between two fetches caused by unknown kids. */
const JWKS_COOLDOWN_MS = 30 * 1000;
/** JWKS_RETRY_AFTER_FAILURE_MS spaces out fetches while the server is unreachable. */
const JWKS_RETRY_AFTER_FAILURE_MS = 5 * 1000;
const JWKS_TIMEOUT_MS = 10 * 1000;

const remoteSources = new Map<string, KeySource>();
const pemSources = new Map<string, KeySource>();

/** remoteKeySource returns the one key source of the JWKS at url in this module. */
export function remoteKeySource(url: string): KeySource {
  let source = remoteSources.get(url);
  if (source === undefined) {
    source = new RemoteKeys(new URL(url));
    remoteSources.set(url, source);
  }
  return source;
}

class RemoteKeys implements KeySource {
  readonly cache = new TokenCache();
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;
  private failedAt = -Infinity;

  constructor(url: URL) {
    this.jwks = createRemoteJWKSet(url, {
      cacheMaxAge: JWKS_MAX_AGE_MS,
      cooldownDuration: JWKS_COOLDOWN_MS,
      timeoutDuration: JWKS_TIMEOUT_MS,
    });
  }

  async key(kid: string): Promise<CryptoKey | Reason> {
    // Every Latchkey key has a kid; refetching would not help.
    if (kid === "") return "session-token-kid-unknown";
    const header = { alg: "ES256", kid };
    if (Date.now() - this.failedAt < JWKS_RETRY_AFTER_FAILURE_MS) return this.fromStale(header);
    try {
      return await this.jwks(header);
    } catch (e) {
      if (e instanceof errors.JWKSNoMatchingKey) return "session-token-kid-unknown";
      if (e instanceof errors.JWKSMultipleMatchingKeys) return firstKey(e);
      this.failedAt = Date.now();
      return this.fromStale(header);
    }
  }

  /**
   * fromStale answers from the last key set fetched, when fetching a newer
   * one failed: a known key still verifies; an unknown kid cannot be told
   * from a key the server just published, so the set is "unavailable".
   */
  private async fromStale(header: { alg: string; kid: string }): Promise<CryptoKey | Reason> {
    const stale = this.jwks.jwks() as JSONWebKeySet | undefined;
    if (stale === undefined) return "jwks-unavailable";
    try {
      return await createLocalJWKSet(stale)(header);
    } catch (e) {
      if (e instanceof errors.JWKSMultipleMatchingKeys) return firstKey(e);
      return "jwks-unavailable";
    }
  }
}

/** firstKey keeps the first usable of several keys with one kid, as the Go SDK does. */
async function firstKey(e: errors.JWKSMultipleMatchingKeys): Promise<CryptoKey | Reason> {
  for await (const key of e as unknown as AsyncIterable<CryptoKey>) return key;
  return "session-token-kid-unknown";
}

/**
 * pemKeySource returns the key source of one PEM "PUBLIC KEY" (an ES256,
 * P-256 key). The token's kid is ignored, so a key rotation needs the new
 * PEM. An unusable PEM is a configuration error, thrown on first use.
 */
export function pemKeySource(pem: string): KeySource {
  let source = pemSources.get(pem);
  if (source === undefined) {
    source = new PemKey(pem);
    pemSources.set(pem, source);
  }
  return source;
}

class PemKey implements KeySource {
  readonly cache = new TokenCache();
  private readonly imported: Promise<CryptoKey>;

  constructor(pem: string) {
    // Environment files often hold a PEM on one line with literal "\n".
    const text = pem.includes("\\n") ? pem.replace(/\\n/g, "\n") : pem;
    this.imported = importSPKI(text.trim(), "ES256").catch((cause: unknown) => {
      throw new LatchkeyNextError(
        "public_key_invalid",
        'LATCHKEY_PUBLIC_KEY (or the publicKey option) is not a PEM "PUBLIC KEY" of an ECDSA P-256 key; session tokens are ES256',
        { cause },
      );
    });
    // The failure is reported to whoever verifies a token, not as an unhandled rejection.
    this.imported.catch(() => undefined);
  }

  key(): Promise<CryptoKey> {
    return this.imported;
  }
}
