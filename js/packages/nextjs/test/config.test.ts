import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { NextConfig } from "next";
import { withLatchkey } from "../src/config";
import { clearLatchkeyEnv } from "./support/env";

beforeEach(() => clearLatchkeyEnv());
afterEach(() => vi.unstubAllEnvs());

type Sets = { beforeFiles: unknown[]; afterFiles: unknown[]; fallback: unknown[] };

async function rewritesOf(config: NextConfig): Promise<Sets> {
  if (config.rewrites === undefined) throw new Error("no rewrites");
  return (await config.rewrites()) as Sets;
}

const ours = { source: "/__latchkey/:path*", destination: "http://127.0.0.1:8080/:path*" };

describe("withLatchkey", () => {
  it("adds the rewrite before the app's files and keeps the rest of the config", async () => {
    const config = withLatchkey({ reactStrictMode: true }, { apiUrl: "http://127.0.0.1:8080/" });
    expect(config.reactStrictMode).toBe(true);
    expect(await rewritesOf(config)).toEqual({ beforeFiles: [ours], afterFiles: [], fallback: [] });
  });

  it("keeps an array of rewrites as afterFiles, as Next.js reads an array", async () => {
    const theirs = [{ source: "/blog/:slug", destination: "/news/:slug" }];
    const config = withLatchkey({ rewrites: async () => theirs }, { apiUrl: "http://127.0.0.1:8080" });
    expect(await rewritesOf(config)).toEqual({ beforeFiles: [ours], afterFiles: theirs, fallback: [] });
  });

  it("merges the object form, ours first", async () => {
    const before = { source: "/a", destination: "/b" };
    const after = { source: "/c", destination: "/d" };
    const fallback = { source: "/:path*", destination: "https://old.example/:path*" };
    const config = withLatchkey(
      { rewrites: async () => ({ beforeFiles: [before], afterFiles: [after], fallback: [fallback] }) },
      { apiUrl: "http://127.0.0.1:8080" },
    );
    expect(await rewritesOf(config)).toEqual({ beforeFiles: [ours, before], afterFiles: [after], fallback: [fallback] });
  });

  it("reads LATCHKEY_API_URL and takes another path", async () => {
    vi.stubEnv("LATCHKEY_API_URL", "https://auth.internal:8443");
    const config = withLatchkey({}, { path: "/auth" });
    expect((await rewritesOf(config)).beforeFiles).toEqual([{ source: "/auth/:path*", destination: "https://auth.internal:8443/:path*" }]);
  });

  it("wraps a config function", async () => {
    const fn = async (phase: string) => ({ env: { PHASE: phase } });
    const wrapped = withLatchkey(fn, { apiUrl: "http://127.0.0.1:8080" });
    const config = await wrapped("phase-production-build", { defaultConfig: {} });
    expect(config.env).toEqual({ PHASE: "phase-production-build" });
    expect((await rewritesOf(config)).beforeFiles).toEqual([ours]);
  });

  it("throws api_url_missing without an API URL", () => {
    expect(() => withLatchkey({})).toThrow(expect.objectContaining({ code: "api_url_missing" }));
  });

  it("throws config_invalid for an unusable URL or path", () => {
    expect(() => withLatchkey({}, { apiUrl: "127.0.0.1:8080" })).toThrow(expect.objectContaining({ code: "config_invalid" }));
    for (const path of ["__latchkey", "/__latchkey/", "/:x", "/a b"]) {
      expect(() => withLatchkey({}, { apiUrl: "http://127.0.0.1:8080", path }), path).toThrow(expect.objectContaining({ code: "config_invalid" }));
    }
  });
});
