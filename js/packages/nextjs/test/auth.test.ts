import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { nextHeadersMock, nextNavigationMock, RedirectSignal, requestHeaders } from "./support/next_mocks";

vi.mock("next/headers", () => nextHeadersMock);
vi.mock("next/navigation", () => nextNavigationMock);

import { auth } from "../src/auth";
import { clearLatchkeyEnv } from "./support/env";
import { startJwksServer, type JwksServer } from "./support/jwks_server";
import { APP_ORIGIN, ISSUER, mint, newKey, nowSeconds, type TestKey } from "./support/tokens";
import type { SessionClaims } from "../src/claims";

let key: TestKey;
let jwks: JwksServer;

beforeAll(async () => {
  key = await newKey();
  jwks = await startJwksServer([key.jwk]);
});
afterAll(() => jwks.close());
beforeEach(() => {
  clearLatchkeyEnv();
  vi.stubEnv("LATCHKEY_JWKS_URL", jwks.url);
  vi.stubEnv("LATCHKEY_AUTHORIZED_PARTIES", APP_ORIGIN);
  requestHeaders.current = new Headers({ host: "localhost:3000" });
});
afterEach(() => vi.unstubAllEnvs());

function setRequest(headers: Record<string, string>): void {
  requestHeaders.current = new Headers({ host: "localhost:3000", ...headers });
}

describe("auth()", () => {
  it("reads the session cookie, with the issuer defaulting to the request's origin + /__latchkey", async () => {
    const token = await mint(key, { sub: "user_ada", sid: "sess_ada" });
    setRequest({ cookie: `theme=dark; __lk_session=${token}; __lk_uat=${nowSeconds() - 10}` });
    const a = await auth();
    expect(a.isSignedIn).toBe(true);
    expect(a.userId).toBe("user_ada");
    expect(a.sessionId).toBe("sess_ada");
    expect(a.reason).toBe("session-token-valid");
    expect(a.claims?.iss).toBe(ISSUER);
    expect(await a.getToken()).toBe(token);
  });

  it("reads an Authorization: Bearer header, to which the cookie rules do not apply", async () => {
    const token = await mint(key, { iat: nowSeconds() - 30 });
    setRequest({ authorization: `Bearer ${token}`, cookie: `__lk_uat=${nowSeconds()}` });
    const a = await auth();
    expect(a.isSignedIn).toBe(true);
    expect(await a.getToken()).toBe(token);
  });

  it("says token-iat-before-client-uat for a cookie token older than __lk_uat", async () => {
    setRequest({ cookie: `__lk_session=${await mint(key, { iat: nowSeconds() - 30 })}; __lk_uat=${nowSeconds()}` });
    const a = await auth();
    expect(a.isSignedIn).toBe(false);
    expect(a.reason).toBe("token-iat-before-client-uat");
    expect(a.userId).toBeNull();
    expect(await a.getToken()).toBeNull();
  });

  it("is signed out with the underlying reason, never a handshake, for an expired token", async () => {
    const iat = nowSeconds() - 300;
    setRequest({ cookie: `__lk_session=${await mint(key, { iat, exp: iat + 60 })}; __lk_uat=1`, "sec-fetch-dest": "document" });
    const a = await auth();
    expect(a.isSignedIn).toBe(false);
    expect(a.reason).toBe("session-token-expired");
  });

  it("is signed out, not an error, for a tampered or garbage cookie", async () => {
    for (const token of ["not-a-jwt", `${(await mint(key)).slice(0, -4)}AAAA`]) {
      setRequest({ cookie: `__lk_session=${token}` });
      const a = await auth();
      expect(a.isSignedIn).toBe(false);
      expect(["session-token-malformed", "session-token-signature-invalid"]).toContain(a.reason);
    }
  });

  it("says session-token-missing without a token", async () => {
    const a = await auth();
    expect(a.reason).toBe("session-token-missing");
    expect(a.has({ role: "admin" })).toBe(false);
  });

  it("takes options over the environment", async () => {
    setRequest({ cookie: `__lk_session=${await mint(key, { iss: "https://auth.example.com" })}` });
    expect((await auth()).reason).toBe("session-token-iss-mismatch");
    expect((await auth({ issuer: "https://auth.example.com" })).reason).toBe("session-token-valid");
  });

  it("honours X-Forwarded-Proto for the default issuer", async () => {
    setRequest({
      host: "app.example.com",
      "x-forwarded-proto": "https",
      cookie: `__lk_session=${await mint(key, { iss: "https://app.example.com/__latchkey", azp: undefined })}`,
    });
    expect((await auth()).reason).toBe("session-token-valid");
  });

  describe("redirectToSignIn", () => {
    it("redirects to the sign-in page back to the URL the middleware saw", async () => {
      setRequest({ "x-latchkey-request-url": `${APP_ORIGIN}/dashboard?x=1` });
      const a = await auth();
      expect(() => a.redirectToSignIn()).toThrow(RedirectSignal);
      try {
        a.redirectToSignIn();
      } catch (e) {
        expect((e as RedirectSignal).url).toBe(`/sign-in?redirect_url=${encodeURIComponent(`${APP_ORIGIN}/dashboard?x=1`)}`);
      }
    });

    it("takes returnBackUrl and NEXT_PUBLIC_LATCHKEY_SIGN_IN_URL", async () => {
      vi.stubEnv("NEXT_PUBLIC_LATCHKEY_SIGN_IN_URL", "/login?m=1");
      const a = await auth();
      expect(() => a.redirectToSignIn({ returnBackUrl: "/after" })).toThrow(
        expect.objectContaining({ url: `/login?m=1&redirect_url=${encodeURIComponent("/after")}` }),
      );
    });

    it("redirects without redirect_url when it knows no URL", async () => {
      const a = await auth();
      expect(() => a.redirectToSignIn()).toThrow(expect.objectContaining({ url: "/sign-in" }));
    });
  });

  describe("has", () => {
    it("checks the role and permissions of the active organization", async () => {
      const token = await mint(key, { o: { id: "org_1", slug: "acme", role: "admin", permissions: ["billing:manage"] } });
      setRequest({ cookie: `__lk_session=${token}` });
      const a = await auth();
      expect(a.has({ role: "admin" })).toBe(true);
      expect(a.has({ role: "member" })).toBe(false);
      expect(a.has({ permission: "billing:manage" })).toBe(true);
      expect(a.has({ permission: "users:delete" })).toBe(false);
      expect(a.has({ role: "admin", permission: "users:delete" })).toBe(false);
    });
  });
});
