// "@latchkey/nextjs/config": withLatchkey() for next.config, which proxies
// the Frontend API on the app's own origin so every cookie is first-party.

import type { NextConfig } from "next";
import { LatchkeyNextError } from "./errors";
import { apiUrlOf, DEFAULT_FRONTEND_API, readEnvironment } from "./options";

/** Options of withLatchkey. */
export interface WithLatchkeyOptions {
  /** Where the Next.js server reaches Latchkey (LATCHKEY_API_URL), e.g. http://127.0.0.1:8080. */
  apiUrl?: string;
  /** The path proxied to Latchkey, default "/__latchkey". */
  path?: string;
}

type Rewrite = { source: string; destination: string; [key: string]: unknown };
type RewriteSets = { beforeFiles: Rewrite[]; afterFiles: Rewrite[]; fallback: Rewrite[] };
type ConfigFunction = (phase: string, ctx: { defaultConfig: NextConfig }) => NextConfig | Promise<NextConfig>;

/**
 * withLatchkey returns nextConfig with the rewrite `${path}/:path*` ->
 * `${apiUrl}/:path*`, placed before the app's files and keeping every
 * rewrite the app already has (an array stays "afterFiles", as Next.js
 * reads it; the object form keeps its three lists). A config function is
 * wrapped. It throws a LatchkeyNextError: "api_url_missing" without
 * apiUrl or LATCHKEY_API_URL, "config_invalid" for an unusable value.
 */
export function withLatchkey(nextConfig?: NextConfig, options?: WithLatchkeyOptions): NextConfig;
export function withLatchkey(nextConfig: ConfigFunction, options?: WithLatchkeyOptions): ConfigFunction;
export function withLatchkey(nextConfig: NextConfig | ConfigFunction = {}, options: WithLatchkeyOptions = {}): NextConfig | ConfigFunction {
  const rule = latchkeyRewrite(options);
  if (typeof nextConfig === "function") {
    return async (phase, ctx) => withRewrite(await nextConfig(phase, ctx), rule);
  }
  return withRewrite(nextConfig, rule);
}

function latchkeyRewrite(options: WithLatchkeyOptions): Rewrite {
  const apiUrl = apiUrlOf(options, readEnvironment());
  if (apiUrl === undefined) {
    throw new LatchkeyNextError(
      "api_url_missing",
      "withLatchkey: set LATCHKEY_API_URL (or the apiUrl option) to where this server reaches Latchkey, e.g. http://127.0.0.1:8080",
    );
  }
  const path = options.path ?? DEFAULT_FRONTEND_API;
  if (!/^\/[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/.test(path)) {
    throw new LatchkeyNextError(
      "config_invalid",
      `withLatchkey: path ${JSON.stringify(path)} must be a plain path such as "/__latchkey" (a leading slash, no trailing slash, no pattern characters)`,
    );
  }
  return { source: `${path}/:path*`, destination: `${apiUrl}/:path*` };
}

function withRewrite(nextConfig: NextConfig, rule: Rewrite): NextConfig {
  const existing = nextConfig.rewrites;
  return {
    ...nextConfig,
    async rewrites(): Promise<RewriteSets> {
      const theirs = existing === undefined ? [] : ((await existing()) as Rewrite[] | Partial<RewriteSets>);
      if (Array.isArray(theirs)) return { beforeFiles: [rule], afterFiles: theirs, fallback: [] };
      return {
        beforeFiles: [rule, ...(theirs.beforeFiles ?? [])],
        afterFiles: theirs.afterFiles ?? [],
        fallback: theirs.fallback ?? [],
      };
    },
  } as NextConfig;
}
