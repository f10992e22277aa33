// The middleware on the Edge runtime: the ./server entry is bundled the way
// Next.js bundles Edge middleware (browser and edge-light conditions, no
// Node built-ins: esbuild fails on any) and evaluated in the Edge runtime
// sandbox that Next.js itself uses (next/dist/compiled/edge-runtime, i.e.
// @edge-runtime/vm), where there is no require, Buffer or Node module. Real
// requests then go through it, and through verifyWebhook.

import { createHmac, randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build } from "esbuild";
import { startJwksServer, type JwksServer } from "./support/jwks_server";
import { APP_ORIGIN, ISSUER, mint, newKey, nowSeconds, type TestKey } from "./support/tokens";

const require = createRequire(import.meta.url);
const { EdgeRuntime } = require("next/dist/compiled/edge-runtime") as {
  EdgeRuntime: new (opts: { extend: (ctx: Record<string, unknown>) => Record<string, unknown> }) => {
    evaluate<T = unknown>(code: string): T;
    context: Record<string, unknown>;
  };
};

type Middleware = (req: unknown) => Promise<Response>;
interface EdgeExports {
  latchkeyMiddleware(opts: Record<string, unknown>): Middleware;
  NextRequest: new (url: string, init: { method?: string; headers?: Record<string, string> }) => unknown;
  verifyWebhook(request: unknown): Promise<{ id: string; type: string }>;
}

let key: TestKey;
let jwks: JwksServer;
let edge: EdgeExports;
let runtime: InstanceType<typeof EdgeRuntime>;
const nodeModules: string[] = [];
const WEBHOOK_SECRET = `whsec_${randomBytes(32).toString("base64")}`;

beforeAll(async () => {
  key = await newKey();
  jwks = await startJwksServer([key.jwk]);
  const out = await build({
    stdin: {
      contents: 'import { latchkeyMiddleware, verifyWebhook } from "../src/server";\nimport { NextRequest } from "next/server";\nglobalThis.__lk = { latchkeyMiddleware, NextRequest, verifyWebhook };\n',
      resolveDir: fileURLToPath(new URL(".", import.meta.url)),
      loader: "ts",
    },
    bundle: true,
    write: false,
    format: "iife",
    platform: "browser",
    conditions: ["edge-light", "worker", "browser"],
    // auth() loads these on first use; the middleware never calls it.
    external: ["next/headers", "next/navigation"],
    define: { "process.env.NODE_ENV": '"production"', __dirname: '"/"' },
    metafile: true,
    logLevel: "silent",
  });
  for (const input of Object.keys(out.metafile.inputs)) if (input.startsWith("node:")) nodeModules.push(input);
  runtime = new EdgeRuntime({
    extend: (ctx) => {
      // What Next.js gives Edge code: process.env, nothing else of process.
      // A production build: the issuer is configured, never guessed.
      ctx.process = {
        env: {
          LATCHKEY_PUBLIC_KEY: key.pem,
          LATCHKEY_ISSUER: ISSUER,
          LATCHKEY_AUTHORIZED_PARTIES: APP_ORIGIN,
          LATCHKEY_DEBUG: "1",
          LATCHKEY_WEBHOOK_SECRET: WEBHOOK_SECRET,
        },
      };
      return ctx;
    },
  });
  runtime.evaluate((out.outputFiles[0] as { text: string }).text);
  edge = runtime.context.__lk as EdgeExports;
}, 60_000);
afterAll(() => jwks.close());

function page(path: string, cookie: string): unknown {
  return new edge.NextRequest(`${APP_ORIGIN}${path}`, { headers: { cookie, "sec-fetch-dest": "document", accept: "text/html" } });
}

describe("latchkeyMiddleware on the Edge runtime", () => {
  it("has no Node built-ins to lean on", () => {
    expect(nodeModules).toEqual([]);
    expect(runtime.evaluate("typeof require")).toBe("undefined");
    expect(runtime.evaluate("typeof Buffer")).toBe("undefined");
    expect(runtime.evaluate("typeof crypto.subtle.verify")).toBe("function");
  });

  it("verifies with the PEM key from process.env", async () => {
    const mw = edge.latchkeyMiddleware({ protectedRoutes: ["/dashboard(.*)"] });
    const res = await mw(page("/dashboard", `__lk_session=${await mint(key)}; __lk_uat=${nowSeconds() - 5}`));
    expect(res.headers.get("x-middleware-next")).toBe("1");
    expect(res.headers.get("latchkey-auth-reason")).toBe("session-token-valid");
  });

  it("fetches the JWKS with the runtime's fetch", async () => {
    const mw = edge.latchkeyMiddleware({ jwksUrl: jwks.url, publicKey: undefined, issuer: ISSUER });
    const before = jwks.fetches;
    const res = await mw(page("/", `__lk_session=${await mint(key)}`));
    expect(res.headers.get("latchkey-auth-reason")).toBe("session-token-valid");
    expect(jwks.fetches).toBe(before + 1);
  });

  it("sends an expired page load through the handshake, and a loop back signed out to sign-in", async () => {
    const mw = edge.latchkeyMiddleware({ protectedRoutes: ["/dashboard(.*)"] });
    const iat = nowSeconds() - 300;
    const cookie = `__lk_session=${await mint(key, { iat, exp: iat + 60 })}; __lk_uat=${iat}`;
    const hs = await mw(page("/dashboard", cookie));
    expect(hs.status).toBe(303);
    expect(hs.headers.get("location")).toBe(
      `${APP_ORIGIN}/__latchkey/v1/client/handshake?redirect_url=${encodeURIComponent(`${APP_ORIGIN}/dashboard?__lk_hs=1`)}`,
    );
    const loop = await mw(page("/dashboard?__lk_hs=1", cookie));
    expect(loop.status).toBe(303);
    expect(loop.headers.get("location")).toBe(`${APP_ORIGIN}/sign-in?redirect_url=${encodeURIComponent(`${APP_ORIGIN}/dashboard`)}`);
    expect(loop.headers.get("latchkey-auth-reason")).toBe("handshake-loop");
  });

  it("signs a tampered cookie out instead of failing", async () => {
    const mw = edge.latchkeyMiddleware({});
    const [h, p, s] = (await mint(key)).split(".") as [string, string, string];
    const res = await mw(page("/", `__lk_session=${h}.${p}x.${s}`));
    expect(res.headers.get("x-middleware-next")).toBe("1");
    expect(res.headers.get("latchkey-auth-status")).toBe("signed-out");
  });
});

describe("verifyWebhook on the Edge runtime", () => {
  function delivery(signatureSecret: string): unknown {
    const body = JSON.stringify({
      object: "event",
      id: "evt_edge",
      type: "user.created",
      timestamp: Date.now(),
      instance_id: "ins_1",
      data: { object: "user", id: "user_ada" },
      sequence: 1,
    });
    const ts = String(nowSeconds());
    const key = Buffer.from(signatureSecret.slice("whsec_".length), "base64");
    const signature = `v1,${createHmac("sha256", key).update(`evt_edge.${ts}.${body}`).digest("base64")}`;
    // The sandbox's own Request, as a route handler on the Edge runtime gets.
    const EdgeRequest = runtime.context.Request as new (url: string, init: Record<string, unknown>) => unknown;
    return new EdgeRequest(`${APP_ORIGIN}/api/webhooks/latchkey`, {
      method: "POST",
      headers: { "webhook-id": "evt_edge", "webhook-timestamp": ts, "webhook-signature": signature, "content-type": "application/json" },
      body,
    });
  }

  it("verifies with LATCHKEY_WEBHOOK_SECRET from process.env", async () => {
    const event = await edge.verifyWebhook(delivery(WEBHOOK_SECRET));
    expect(event.id).toBe("evt_edge");
    expect(event.type).toBe("user.created");
  });

  it("rejects a signature made with another secret", async () => {
    const err = (await edge.verifyWebhook(delivery(`whsec_${randomBytes(32).toString("base64")}`)).catch((e: unknown) => e)) as { code?: string };
    expect(err.code).toBe("invalid_signature");
  });
});
