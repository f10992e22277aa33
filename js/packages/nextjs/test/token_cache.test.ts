import { describe, expect, it } from "vitest";
import type { ParsedClaims } from "../src/claims";
import { DEFAULT_CACHE_SIZE, TokenCache } from "../src/token_cache";

// put takes the time as an argument, so these tests choose it: no clock.
const NOW = 1_700_000_000;

function parsed(exp: number): ParsedClaims {
  return { claims: { sub: "user_1", iat: exp - 60, exp }, iss: "https://issuer.test", azp: "", iat: exp - 60, nbf: null, exp };
}

function keys(cache: TokenCache, tokens: string[]): string[] {
  return tokens.filter((t) => cache.get(t) !== undefined);
}

describe("TokenCache", () => {
  it("remembers what it is given, byte for byte the same token", () => {
    const cache = new TokenCache(3);
    const p = parsed(NOW + 60);
    cache.put("a", p, NOW);
    expect(cache.get("a")).toBe(p);
    expect(cache.get("a ")).toBeUndefined();
    expect(cache.get("b")).toBeUndefined();
    expect(DEFAULT_CACHE_SIZE).toBe(10_000);
  });

  it("keeps expired tokens while there is room (time is checked again on every use)", () => {
    const cache = new TokenCache(3);
    cache.put("a", parsed(NOW - 10), NOW);
    cache.put("b", parsed(NOW - 10), NOW);
    expect(keys(cache, ["a", "b"])).toEqual(["a", "b"]);
  });

  it("never holds more than its size: when full and nothing expired, it drops the oldest", () => {
    const cache = new TokenCache(3);
    for (const t of ["a", "b", "c", "d", "e"]) cache.put(t, parsed(NOW + 60), NOW);
    expect(keys(cache, ["a", "b", "c", "d", "e"])).toEqual(["c", "d", "e"]);
  });

  it("when full, drops the expired tokens at the front first, keeping the live ones", () => {
    const cache = new TokenCache(4);
    cache.put("old1", parsed(NOW + 10), NOW);
    cache.put("old2", parsed(NOW + 10), NOW);
    cache.put("live1", parsed(NOW + 100), NOW);
    cache.put("live2", parsed(NOW + 100), NOW);
    // Later, old1 and old2 have expired: both go, and nothing live does.
    cache.put("new", parsed(NOW + 200), NOW + 50);
    expect(keys(cache, ["old1", "old2", "live1", "live2", "new"])).toEqual(["live1", "live2", "new"]);
  });

  it("stops at the first live token: an expired one behind it stays, and the oldest goes if still full", () => {
    const cache = new TokenCache(3);
    cache.put("live", parsed(NOW + 100), NOW);
    cache.put("expired", parsed(NOW + 10), NOW);
    cache.put("live2", parsed(NOW + 100), NOW);
    cache.put("new", parsed(NOW + 100), NOW + 50);
    expect(keys(cache, ["live", "expired", "live2", "new"])).toEqual(["expired", "live2", "new"]);
  });

  it("a token that expires this very second is still live", () => {
    const cache = new TokenCache(3);
    cache.put("a", parsed(NOW + 10), NOW);
    cache.put("b", parsed(NOW + 10), NOW);
    cache.put("c", parsed(NOW + 100), NOW);
    // At exp, a and b are not expired: only the oldest goes to make room.
    cache.put("d", parsed(NOW + 100), NOW + 10);
    expect(keys(cache, ["a", "b", "c", "d"])).toEqual(["b", "c", "d"]);
    // A second later b has expired and goes first.
    cache.put("e", parsed(NOW + 100), NOW + 11);
    expect(keys(cache, ["b", "c", "d", "e"])).toEqual(["c", "d", "e"]);
  });
});
