import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { NextRequest } from "next/server";
import { latchkeyMiddleware, type LatchkeyMiddlewareOptions } from "../src/middleware";
import { createRouteMatcher } from "../src/route_matcher";
import { clearLatchkeyEnv } from "./support/env";
import { startJwksServer, type JwksServer } from "./support/jwks_server";
import { APP_ORIGIN, ISSUER, mint, newKey, nowSeconds, type TestKey } from "./support/tokens";

let key: TestKey;
let jwks: JwksServer;
let base: LatchkeyMiddlewareOptions;

beforeAll(async () => {
  key = await newKey();
  jwks = await startJwksServer([key.jwk]);
  base = {
    jwksUrl: jwks.url,
    issuer: ISSUER,
    authorizedParties: [APP_ORIGIN],
    protectedRoutes: ["/dashboard(.*)", "/account(.*)"],
    debug: true,
  };
});
afterAll(() => jwks.close());
beforeEach(() => clearLatchkeyEnv());
afterEach(() => vi.unstubAllEnvs());

interface RequestInit {
  token?: string;
  uat?: number | string;
  bearer?: string;
  dest?: string;
  accept?: string;
  method?: string;
  headers?: Record<string, string>;
}

function request(path: string, init: RequestInit = {}): NextRequest {
  const headers = new Headers(init.headers);
  const cookies: string[] = [];
  if (init.token !== undefined) cookies.push(`__lk_session=${init.token}`);
  if (init.uat !== undefined) cookies.push(`__lk_uat=${init.uat}`);
  if (cookies.length > 0) headers.set("cookie", cookies.join("; "));
  if (init.bearer !== undefined) headers.set("authorization", `Bearer ${init.bearer}`);
  if (init.dest !== undefined) headers.set("sec-fetch-dest", init.dest);
  if (init.accept !== undefined) headers.set("accept", init.accept);
  return new NextRequest(`${APP_ORIGIN}${path}`, { method: init.method ?? "GET", headers });
}

const page = (path: string, init: RequestInit = {}) => request(path, { dest: "document", accept: "text/html", ...init });

async function expired(): Promise<string> {
  const iat = nowSeconds() - 300;
  return mint(key, { iat, nbf: iat - 5, exp: iat + 60 });
}

function passedThrough(res: Response): boolean {
  return res.headers.get("x-middleware-next") === "1";
}

function redirectUrl(res: Response): URL {
  return new URL(res.headers.get("location") as string);
}

describe("latchkeyMiddleware", () => {
  it("lets a signed-in page load through and tells auth() the URL", async () => {
    const res = await latchkeyMiddleware(base)(page("/dashboard?tab=1", { token: await mint(key), uat: nowSeconds() - 10 }));
    expect(passedThrough(res)).toBe(true);
    expect(res.headers.get("latchkey-auth-reason")).toBe("session-token-valid");
    expect(res.headers.get("latchkey-auth-status")).toBe("signed-in");
    expect(res.headers.get("x-middleware-request-x-latchkey-request-url")).toBe(`${APP_ORIGIN}/dashboard?tab=1`);
  });

  it("tells auth() the URL without the loop guard", async () => {
    const res = await latchkeyMiddleware(base)(page("/?a=1&__lk_hs=1", { uat: 1 }));
    expect(res.headers.get("latchkey-auth-reason")).toBe("handshake-loop");
    expect(res.headers.get("x-middleware-request-x-latchkey-request-url")).toBe(`${APP_ORIGIN}/?a=1`);
  });

  it("does not let a client choose the URL header", async () => {
    const res = await latchkeyMiddleware(base)(page("/", { headers: { "x-latchkey-request-url": "https://evil.example/" } }));
    expect(res.headers.get("x-middleware-request-x-latchkey-request-url")).toBe(`${APP_ORIGIN}/`);
  });

  describe("handshake", () => {
    const cases: [string, () => Promise<Partial<RequestInit>>, string][] = [
      ["an expired token", async () => ({ token: await expired() }), "session-token-expired"],
      ["no token", async () => ({}), "session-token-missing"],
      ["a token older than __lk_uat", async () => ({ token: await mint(key, { iat: nowSeconds() - 20 }) }), "token-iat-before-client-uat"],
    ];
    for (const [name, init, reason] of cases) {
      it(`sends a page load of a signed-in client with ${name} through the handshake`, async () => {
        const res = await latchkeyMiddleware(base)(page("/dashboard?tab=1&x=%2F", { uat: nowSeconds() - 5, ...(await init()) }));
        expect(res.status).toBe(303);
        const loc = redirectUrl(res);
        expect(`${loc.origin}${loc.pathname}`).toBe(`${APP_ORIGIN}/__latchkey/v1/client/handshake`);
        expect(loc.searchParams.get("redirect_url")).toBe(`${APP_ORIGIN}/dashboard?tab=1&x=%2F&__lk_hs=1`);
        expect(res.headers.get("cache-control")).toBe("no-store");
        expect(res.headers.get("latchkey-auth-reason")).toBe(reason);
        expect(res.headers.get("latchkey-auth-status")).toBe("handshake");
      });
    }

    it("works on public pages too, and with Accept: text/html alone", async () => {
      const res = await latchkeyMiddleware(base)(request("/", { accept: "text/html,application/xhtml+xml", uat: 1 }));
      expect(res.status).toBe(303);
      expect(redirectUrl(res).searchParams.get("redirect_url")).toBe(`${APP_ORIGIN}/?__lk_hs=1`);
    });

    it("uses an absolute frontendApi and the forwarded scheme and host", async () => {
      const res = await latchkeyMiddleware({ ...base, frontendApi: "https://auth.example.com" })(
        page("/dashboard", { uat: 1, headers: { host: "app.example.com", "x-forwarded-proto": "https" } }),
      );
      const loc = redirectUrl(res);
      expect(`${loc.origin}${loc.pathname}`).toBe("https://auth.example.com/v1/client/handshake");
      expect(loc.searchParams.get("redirect_url")).toBe("https://app.example.com/dashboard?__lk_hs=1");
    });

    it("never sends a request that is not a page load", async () => {
      const mw = latchkeyMiddleware(base);
      const token = await expired();
      const api = await mw(request("/api/data", { token, uat: 1, dest: "empty", accept: "*/*" }));
      expect(passedThrough(api)).toBe(true);
      expect(api.headers.get("latchkey-auth-reason")).toBe("session-token-expired");
      expect(api.headers.get("latchkey-auth-status")).toBe("signed-out");
      const post = await mw(page("/", { token, uat: 1, method: "POST" }));
      expect(passedThrough(post)).toBe(true);
      const image = await mw(request("/", { token, uat: 1, dest: "image", accept: "text/html" }));
      expect(passedThrough(image)).toBe(true);
    });

    it("does not send a signed-out client (__lk_uat 0 or absent)", async () => {
      const mw = latchkeyMiddleware(base);
      for (const uat of [0, "", "junk", -5]) {
        const res = await mw(page("/", { token: await expired(), uat }));
        expect(passedThrough(res)).toBe(true);
      }
    });

    it("does not paper over a forged or foreign token", async () => {
      const other = await newKey(key.kid);
      const res = await latchkeyMiddleware(base)(page("/", { token: await mint(other), uat: 1 }));
      expect(passedThrough(res)).toBe(true);
      expect(res.headers.get("latchkey-auth-reason")).toBe("session-token-signature-invalid");
    });

    it("is loop-guarded: a page back from the handshake is never sent again", async () => {
      const mw = latchkeyMiddleware(base);
      const home = await mw(page("/?__lk_hs=1", { token: await expired(), uat: 1 }));
      expect(passedThrough(home)).toBe(true);
      expect(home.headers.get("latchkey-auth-reason")).toBe("handshake-loop");
      expect(home.headers.get("latchkey-auth-status")).toBe("signed-out");
      const dash = await mw(page("/dashboard?a=1&__lk_hs=1&b=2", { uat: 1 }));
      expect(dash.status).toBe(303);
      const loc = redirectUrl(dash);
      expect(loc.pathname).toBe("/sign-in");
      expect(loc.searchParams.get("redirect_url")).toBe(`${APP_ORIGIN}/dashboard?a=1&b=2`);
      expect(dash.headers.get("latchkey-auth-reason")).toBe("handshake-loop");
    });

    it("drops __lk_hs once back from the handshake with a fresh token", async () => {
      const res = await latchkeyMiddleware(base)(page("/dashboard?a=1&__lk_hs=1", { token: await mint(key), uat: nowSeconds() - 1 }));
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe(`${APP_ORIGIN}/dashboard?a=1`);
      expect(res.headers.get("latchkey-auth-status")).toBe("signed-in");
    });

    it("leaves the Frontend API path alone, so the handshake itself is never redirected", async () => {
      const res = await latchkeyMiddleware(base)(page("/__latchkey/v1/client/handshake?redirect_url=x", { token: await expired(), uat: 1 }));
      expect(passedThrough(res)).toBe(true);
      expect(res.headers.get("latchkey-auth-reason")).toBeNull();
    });
  });

  describe("protected routes", () => {
    it("redirects a signed-out page load to the sign-in page with redirect_url", async () => {
      const res = await latchkeyMiddleware(base)(page("/dashboard/settings?x=1"));
      expect(res.status).toBe(303);
      const loc = redirectUrl(res);
      expect(`${loc.origin}${loc.pathname}`).toBe(`${APP_ORIGIN}/sign-in`);
      expect(loc.searchParams.get("redirect_url")).toBe(`${APP_ORIGIN}/dashboard/settings?x=1`);
      expect(res.headers.get("latchkey-auth-reason")).toBe("session-token-missing");
      expect(res.headers.get("latchkey-auth-status")).toBe("signed-out");
    });

    it("keeps a query already in signInUrl", async () => {
      const res = await latchkeyMiddleware({ ...base, signInUrl: "/login?from=mw" })(page("/account"));
      const loc = redirectUrl(res);
      expect(loc.pathname).toBe("/login");
      expect(loc.searchParams.get("from")).toBe("mw");
      expect(loc.searchParams.get("redirect_url")).toBe(`${APP_ORIGIN}/account`);
    });

    it("answers other signed-out requests 401 JSON", async () => {
      const res = await latchkeyMiddleware(base)(request("/dashboard", { dest: "empty", accept: "*/*", token: "garbage" }));
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe('Bearer realm="latchkey"');
      const body = (await res.json()) as { errors: { code: string; meta?: { reason: string } }[] };
      expect(body.errors[0]?.code).toBe("unauthenticated");
      expect(body.errors[0]?.meta?.reason).toBe("session-token-malformed");
    });

    it("lets a Bearer token in, without the cookie rules", async () => {
      const token = await mint(key, { iat: nowSeconds() - 30 });
      const res = await latchkeyMiddleware(base)(request("/dashboard/api", { bearer: token, uat: nowSeconds(), dest: "empty" }));
      expect(passedThrough(res)).toBe(true);
      expect(res.headers.get("latchkey-auth-reason")).toBe("session-token-valid");
    });

    it("turns a tampered cookie into the signed-out path, never an error", async () => {
      const [h, p, s] = (await mint(key)).split(".") as [string, string, string];
      const tampered = `${h}.${p.slice(0, -2)}AA.${s}`;
      const mw = latchkeyMiddleware(base);
      const dash = await mw(page("/dashboard", { token: tampered, uat: nowSeconds() - 5 }));
      expect(dash.status).toBe(303);
      expect(redirectUrl(dash).pathname).toBe("/sign-in");
      expect(["session-token-signature-invalid", "session-token-malformed"]).toContain(dash.headers.get("latchkey-auth-reason"));
      for (const junk of ["%%%", "a.b.c", "x".repeat(9000), "e30.e30.e30"]) {
        const res = await mw(page("/", { token: junk, uat: 1 }));
        expect(passedThrough(res)).toBe(true);
      }
    });

    it("matches protected routes case-insensitively and percent-decoded", async () => {
      const mw = latchkeyMiddleware(base);
      expect((await mw(page("/Dashboard"))).status).toBe(303);
      expect((await mw(page("/%64ashboard"))).status).toBe(303);
      expect(passedThrough(await mw(page("/dash")))).toBe(true);
    });

    it("takes a RouteMatcher function", async () => {
      const mw = latchkeyMiddleware({ ...base, protectedRoutes: createRouteMatcher([/^\/admin/]) });
      expect((await mw(page("/admin/users"))).status).toBe(303);
      expect(passedThrough(await mw(page("/dashboard")))).toBe(true);
    });

    it("with publicRoutes only, protects everything else but the sign-in page", async () => {
      const mw = latchkeyMiddleware({ ...base, protectedRoutes: undefined, publicRoutes: ["/", "/about(.*)"] });
      expect(passedThrough(await mw(page("/")))).toBe(true);
      expect(passedThrough(await mw(page("/about/team")))).toBe(true);
      expect(passedThrough(await mw(page("/sign-in")))).toBe(true);
      expect(passedThrough(await mw(page("/sign-in/factor-one")))).toBe(true);
      expect((await mw(page("/settings"))).status).toBe(303);
    });

    it("publicRoutes win over protectedRoutes", async () => {
      const mw = latchkeyMiddleware({ ...base, publicRoutes: ["/dashboard/public"] });
      expect(passedThrough(await mw(page("/dashboard/public")))).toBe(true);
      expect((await mw(page("/dashboard/private"))).status).toBe(303);
    });

    it("never protects the sign-in page, even when a pattern covers it", async () => {
      const mw = latchkeyMiddleware({ ...base, protectedRoutes: ["/(.*)"] });
      expect(passedThrough(await mw(page("/sign-in?redirect_url=x")))).toBe(true);
      expect((await mw(page("/anything"))).status).toBe(303);
    });
  });

  describe("configuration", () => {
    it("adds no debug headers unless asked", async () => {
      const res = await latchkeyMiddleware({ ...base, debug: undefined })(page("/"));
      expect(res.headers.get("latchkey-auth-reason")).toBeNull();
      vi.stubEnv("LATCHKEY_DEBUG", "1");
      const on = await latchkeyMiddleware({ ...base, debug: undefined })(page("/"));
      expect(on.headers.get("latchkey-auth-reason")).toBe("session-token-missing");
      expect((await latchkeyMiddleware({ ...base, debug: false })(page("/"))).headers.get("latchkey-auth-reason")).toBeNull();
    });

    it("reads the environment: JWKS URL, parties, and the default issuer from the request's origin", async () => {
      vi.stubEnv("LATCHKEY_JWKS_URL", jwks.url);
      vi.stubEnv("LATCHKEY_AUTHORIZED_PARTIES", ` https://other.example , ${APP_ORIGIN}`);
      vi.stubEnv("LATCHKEY_DEBUG", "true");
      const mw = latchkeyMiddleware({ protectedRoutes: ["/dashboard"] });
      const ok = await mw(page("/dashboard", { token: await mint(key) }));
      expect(ok.headers.get("latchkey-auth-reason")).toBe("session-token-valid");
      const foreign = await mw(page("/", { token: await mint(key, { azp: "https://evil.example" }) }));
      expect(foreign.headers.get("latchkey-auth-reason")).toBe("azp-not-authorized");
      const elsewhere = await mw(page("/", { token: await mint(key), headers: { host: "127.0.0.1:3000" } }));
      expect(elsewhere.headers.get("latchkey-auth-reason")).toBe("session-token-iss-mismatch");
    });

    it("in production, refuses to guess the issuer from the request's Host header", async () => {
      vi.stubEnv("LATCHKEY_JWKS_URL", jwks.url);
      vi.stubEnv("NODE_ENV", "production");
      const mw = latchkeyMiddleware({ protectedRoutes: ["/dashboard"] });
      await expect(mw(page("/dashboard", { token: await mint(key) }))).rejects.toThrow(/set LATCHKEY_ISSUER/);
      vi.stubEnv("LATCHKEY_ISSUER", ISSUER);
      vi.stubEnv("LATCHKEY_DEBUG", "1");
      expect((await mw(page("/dashboard", { token: await mint(key) }))).headers.get("latchkey-auth-reason")).toBe("session-token-valid");
    });

    it("takes the JWKS from LATCHKEY_API_URL, never from the request's host", async () => {
      vi.stubEnv("LATCHKEY_API_URL", jwks.url.replace("/.well-known/jwks.json", ""));
      vi.stubEnv("LATCHKEY_DEBUG", "1");
      const res = await latchkeyMiddleware()(page("/", { token: await mint(key) }));
      expect(res.headers.get("latchkey-auth-reason")).toBe("session-token-valid");
    });

    it("reads NEXT_PUBLIC_LATCHKEY_FRONTEND_API and NEXT_PUBLIC_LATCHKEY_SIGN_IN_URL", async () => {
      vi.stubEnv("NEXT_PUBLIC_LATCHKEY_FRONTEND_API", "/auth/");
      vi.stubEnv("NEXT_PUBLIC_LATCHKEY_SIGN_IN_URL", "/login");
      const mw = latchkeyMiddleware({ ...base, issuer: undefined, jwksUrl: jwks.url });
      const hs = await mw(page("/", { uat: 1 }));
      expect(redirectUrl(hs).pathname).toBe("/auth/v1/client/handshake");
      expect(redirectUrl(await mw(page("/dashboard"))).pathname).toBe("/login");
      expect(passedThrough(await mw(page("/auth/v1/client", { uat: 1 })))).toBe(true);
    });

    it("prefers options over the environment", async () => {
      vi.stubEnv("LATCHKEY_ISSUER", "https://wrong.example");
      vi.stubEnv("LATCHKEY_JWKS_URL", "http://127.0.0.1:1/.well-known/jwks.json");
      const res = await latchkeyMiddleware(base)(page("/", { token: await mint(key) }));
      expect(res.headers.get("latchkey-auth-reason")).toBe("session-token-valid");
    });

    it("throws key_source_missing on a request without any key source", async () => {
      await expect(latchkeyMiddleware({ issuer: ISSUER })(page("/"))).rejects.toMatchObject({ code: "key_source_missing" });
    });

    it("throws config_invalid for both a JWKS URL and a PEM, or a bad URL", async () => {
      await expect(latchkeyMiddleware({ ...base, publicKey: key.pem })(page("/"))).rejects.toMatchObject({ code: "config_invalid" });
      await expect(latchkeyMiddleware({ ...base, jwksUrl: "jwks.json" })(page("/"))).rejects.toMatchObject({ code: "config_invalid" });
    });

    it("throws config_invalid at once for an unusable signInUrl, frontendApi or pattern", () => {
      expect(() => latchkeyMiddleware({ signInUrl: "javascript:alert(1)" })).toThrow(expect.objectContaining({ code: "config_invalid" }));
      expect(() => latchkeyMiddleware({ signInUrl: "//evil.example/sign-in" })).toThrow(/signInUrl/);
      expect(() => latchkeyMiddleware({ frontendApi: "__latchkey" })).toThrow(/frontendApi/);
      expect(() => latchkeyMiddleware({ protectedRoutes: ["dashboard"] })).toThrow(/must start with/);
    });
  });
});
