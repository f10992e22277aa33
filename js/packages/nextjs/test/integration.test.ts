// Against the real server: a user signs in through the Frontend API as a
// native app would (the Latchkey-Client header), gets a real session token,
// and this package verifies it with the server's real JWKS, reads the user
// from the real Backend API, and runs the middleware on it.

import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { NextRequest } from "next/server";
import { fetchUser, toFrontendUser } from "../src/backend_user";
import { remoteKeySource } from "../src/keys";
import { latchkeyMiddleware } from "../src/middleware";
import { verifySessionToken } from "../src/verify";
import { clearLatchkeyEnv } from "./support/env";
import { startLatchkey, type LatchkeyServer } from "./support/latchkey_server";

let server: LatchkeyServer;
let userId: string;
let sessionId: string;
let token: string;
let credential: string;
const email = `nextjs-${Date.now()}@example.com`;
const password = "quiet-lantern-harbor-77";

async function call(path: string, init: { method?: string; body?: unknown; credential?: string; origin?: string; bearer?: string }) {
  const headers: Record<string, string> = {};
  if (init.body !== undefined) headers["Content-Type"] = "application/json";
  if (init.credential !== undefined) headers["Latchkey-Client"] = init.credential;
  if (init.origin !== undefined) headers.Origin = init.origin;
  if (init.bearer !== undefined) headers.Authorization = `Bearer ${init.bearer}`;
  const res = await fetch(`${server.apiUrl}${path}`, {
    method: init.method ?? "POST",
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const body = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
  return { res, body };
}

beforeAll(async () => {
  clearLatchkeyEnv();
  server = await startLatchkey();
  const created = await call("/api/v1/users", { bearer: server.secretKey, body: { email_address: [email], password, first_name: "Ada" } });
  userId = created.body.id as string;
  // A native app's first request sends the header empty; the credential comes back in it.
  const signIn = await call("/v1/client/sign_ins", { credential: "", origin: server.appOrigin, body: { identifier: email, password } });
  credential = signIn.res.headers.get("Latchkey-Client") as string;
  sessionId = (signIn.body.client as { last_active_session_id: string }).last_active_session_id;
  const minted = await call(`/v1/client/sessions/${sessionId}/tokens`, { credential, origin: server.appOrigin });
  token = minted.body.jwt as string;
}, 300_000);
afterAll(async () => {
  vi.unstubAllEnvs();
  await server?.stop();
});

describe("against a real latchkey server", () => {
  it("verifies a real session token with the real JWKS", async () => {
    const keys = remoteKeySource(`${server.apiUrl}/.well-known/jwks.json`);
    const v = await verifySessionToken(token, { issuer: server.publicUrl, authorizedParties: [server.appOrigin], keys });
    expect(v.reason).toBe("session-token-valid");
    expect(v.claims?.sub).toBe(userId);
    expect(v.claims?.sid).toBe(sessionId);
    expect(v.claims?.azp).toBe(server.appOrigin);
    const foreign = await verifySessionToken(token, { issuer: server.publicUrl, authorizedParties: ["https://other.example"], keys });
    expect(foreign.reason).toBe("azp-not-authorized");
    const wrongIssuer = await verifySessionToken(token, { issuer: server.apiUrl, authorizedParties: [], keys });
    expect(wrongIssuer.reason).toBe("session-token-iss-mismatch");
  });

  it("reads the user from the real Backend API", async () => {
    const user = await fetchUser(userId, { apiUrl: server.apiUrl, secretKey: server.secretKey });
    expect(user?.id).toBe(userId);
    expect(user?.first_name).toBe("Ada");
    expect(user?.email_addresses[0]?.email_address).toBe(email);
    expect(user).toHaveProperty("private_metadata");
    expect(toFrontendUser(user as NonNullable<typeof user>)).not.toHaveProperty("private_metadata");
    expect(await fetchUser("user_doesnotexist", { apiUrl: server.apiUrl, secretKey: server.secretKey })).toBeNull();
    await expect(fetchUser(userId, { apiUrl: server.apiUrl, secretKey: "sk_test_wrong" })).rejects.toMatchObject({ status: 401 });
  });

  it("runs the middleware on the real token, configured from the environment", async () => {
    vi.stubEnv("LATCHKEY_API_URL", server.apiUrl);
    vi.stubEnv("LATCHKEY_AUTHORIZED_PARTIES", server.appOrigin);
    vi.stubEnv("LATCHKEY_DEBUG", "1");
    const mw = latchkeyMiddleware({ protectedRoutes: ["/dashboard(.*)"] });
    const page = (cookie: string) =>
      new NextRequest(`${server.appOrigin}/dashboard`, { headers: { cookie, "sec-fetch-dest": "document", accept: "text/html" } });
    const uat = Math.floor(Date.now() / 1000) - 60;
    const ok = await mw(page(`__lk_session=${token}; __lk_uat=${uat}`));
    expect(ok.headers.get("latchkey-auth-reason")).toBe("session-token-valid");
    expect(ok.headers.get("x-middleware-next")).toBe("1");
    // Another tab signed in again after this token was minted: stale, so a page load goes through the handshake.
    const stale = await mw(page(`__lk_session=${token}; __lk_uat=${Math.floor(Date.now() / 1000) + 2}`));
    expect(stale.status).toBe(303);
    expect(stale.headers.get("latchkey-auth-reason")).toBe("token-iat-before-client-uat");
    expect(stale.headers.get("location")).toContain(`${server.appOrigin}/__latchkey/v1/client/handshake?redirect_url=`);
  });

  it("goes through the real handshake and back without a loop", async () => {
    vi.stubEnv("LATCHKEY_API_URL", server.apiUrl);
    vi.stubEnv("LATCHKEY_DEBUG", "1");
    const mw = latchkeyMiddleware({ protectedRoutes: ["/dashboard(.*)"] });
    const page = (url: string, cookie: string) =>
      new NextRequest(url, { headers: { cookie, "sec-fetch-dest": "document", accept: "text/html" } });
    // A page load with no session token from a signed-in browser.
    const uat = Math.floor(Date.now() / 1000) - 60;
    const first = await mw(page(`${server.appOrigin}/dashboard?tab=2`, `__lk_uat=${uat}`));
    expect(first.status).toBe(303);
    const handshake = new URL(first.headers.get("location") as string);
    // The browser follows it to Latchkey (through the app's rewrite), with its client cookie.
    const answer = await fetch(`${server.apiUrl}${handshake.pathname.replace("/__latchkey", "")}${handshake.search}`, {
      redirect: "manual",
      headers: { cookie: `__lk_client=${credential}` },
    });
    expect(answer.status).toBe(303);
    expect(answer.headers.get("latchkey-auth-reason")).toBe("handshake-signed-in");
    const back = answer.headers.get("location") as string;
    const backUrl = new URL(back);
    expect(`${backUrl.origin}${backUrl.pathname}`).toBe(`${server.appOrigin}/dashboard`);
    expect(backUrl.searchParams.get("tab")).toBe("2");
    expect(backUrl.searchParams.get("__lk_hs")).toBe("1");
    const cookies = answer.headers.getSetCookie().map((c) => c.split(";")[0] as string);
    const fresh = cookies.filter((c) => c.startsWith("__lk_session=") || c.startsWith("__lk_uat=")).join("; ");
    expect(fresh).toContain("__lk_session=ey");
    // Back at the app with fresh cookies: signed in, and sent on to the clean URL.
    const returned = await mw(page(back, fresh));
    expect(returned.headers.get("latchkey-auth-reason")).toBe("session-token-valid");
    expect(returned.status).toBe(303);
    expect(returned.headers.get("location")).toBe(`${server.appOrigin}/dashboard?tab=2`);
    const landed = await mw(page(`${server.appOrigin}/dashboard?tab=2`, fresh));
    expect(landed.headers.get("x-middleware-next")).toBe("1");
    // Had the cookies not stuck, the loop guard would have signed it out instead of redirecting again.
    const lost = await mw(page(back, `__lk_uat=${uat}`));
    expect(lost.headers.get("latchkey-auth-reason")).toBe("handshake-loop");
    expect(new URL(lost.headers.get("location") as string).pathname).toBe("/sign-in");
  });
});
