import type { ParsedClaims } from "./claims";

/** DEFAULT_CACHE_SIZE is how many verified tokens one key source remembers. */
export const DEFAULT_CACHE_SIZE = 10_000;

/**
 * TokenCache remembers tokens whose signature verified, so the same cookie
 * on every request of a page load (middleware, layout, page) costs a map
 * lookup instead of an ECDSA verification. It is keyed by the exact token
 * string, so a hit is byte for byte the token that verified. Only tokens
 * that verified are stored, so garbage cannot fill it. Issuer, azp and time
 * are checked again on every use.
 */
export class TokenCache {
  private readonly entries = new Map<string, ParsedClaims>();

  constructor(private readonly size: number = DEFAULT_CACHE_SIZE) {}

  get(token: string): ParsedClaims | undefined {
    return this.entries.get(token);
  }

  /**
   * put stores a verified token. When full it drops expired tokens from the
   * front (the Map keeps insertion order, oldest first), stopping at the
   * first live one, then the oldest if still full: no full scan per put.
   */
  put(token: string, parsed: ParsedClaims, nowSeconds: number): void {
    if (this.entries.size >= this.size) {
      for (const [t, p] of this.entries) {
        if (p.exp >= nowSeconds) break;
        this.entries.delete(t);
      }
      const oldest = this.entries.keys().next();
      if (this.entries.size >= this.size && !oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(token, parsed);
  }
}
