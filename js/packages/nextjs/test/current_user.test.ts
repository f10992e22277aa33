import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { nextHeadersMock, nextNavigationMock, requestHeaders } from "./support/next_mocks";

vi.mock("next/headers", () => nextHeadersMock);
vi.mock("next/navigation", () => nextNavigationMock);

import { currentUser } from "../src/current_user";
import { backendUser, SECRET_KEY, startBackend, type FakeBackend } from "./support/backend_api";
import { clearLatchkeyEnv } from "./support/env";
import { startJwksServer, type JwksServer } from "./support/jwks_server";
import { mint, newKey, type TestKey } from "./support/tokens";

let key: TestKey;
let jwks: JwksServer;
let backend: FakeBackend;

beforeAll(async () => {
  key = await newKey();
  jwks = await startJwksServer([key.jwk]);
  backend = await startBackend();
  backend.users.set("user_ada", backendUser("user_ada"));
});
afterAll(async () => {
  await jwks.close();
  await backend.close();
});
beforeEach(() => {
  clearLatchkeyEnv();
  vi.stubEnv("LATCHKEY_JWKS_URL", jwks.url);
  vi.stubEnv("LATCHKEY_API_URL", backend.url);
  vi.stubEnv("LATCHKEY_SECRET_KEY", SECRET_KEY);
  requestHeaders.current = new Headers({ host: "localhost:3000" });
});
afterEach(() => vi.unstubAllEnvs());

async function signIn(sub: string): Promise<void> {
  requestHeaders.current = new Headers({ host: "localhost:3000", cookie: `__lk_session=${await mint(key, { sub })}` });
}

describe("currentUser()", () => {
  it("returns the signed-in user from the Backend API, with the secret key", async () => {
    await signIn("user_ada");
    const user = await currentUser();
    expect(user?.id).toBe("user_ada");
    expect(user?.first_name).toBe("Ada");
    expect(user?.private_metadata).toEqual({ stripe_customer: "cus_secret" });
    const last = backend.requests.at(-1);
    expect(last?.path).toBe("/api/v1/users/user_ada");
    expect(last?.authorization).toBe(`Bearer ${SECRET_KEY}`);
  });

  it("returns null when signed out, without calling the Backend API or needing a key", async () => {
    vi.stubEnv("LATCHKEY_SECRET_KEY", "");
    const before = backend.requests.length;
    expect(await currentUser()).toBeNull();
    expect(backend.requests.length).toBe(before);
  });

  it("returns null for a user deleted since the token was minted", async () => {
    await signIn("user_gone");
    expect(await currentUser()).toBeNull();
  });

  it("throws secret_key_missing, with a message saying where the key is, when signed in without LATCHKEY_SECRET_KEY", async () => {
    vi.stubEnv("LATCHKEY_SECRET_KEY", "");
    await signIn("user_ada");
    await expect(currentUser()).rejects.toMatchObject({ code: "secret_key_missing", message: expect.stringContaining("dev-keys.json") });
  });

  it("throws backend_api_error with the server's code for a wrong key", async () => {
    await signIn("user_ada");
    await expect(currentUser({ secretKey: "sk_test_wrong" })).rejects.toMatchObject({
      code: "backend_api_error",
      status: 401,
      apiCode: "authentication_invalid",
      traceId: "req_test",
    });
  });

  it("throws for a 404 that is not a missing user (a wrong API URL)", async () => {
    await signIn("user_ada");
    await expect(currentUser({ apiUrl: `${backend.url}/api/v1` })).rejects.toMatchObject({ code: "backend_api_error", apiCode: "route_not_found" });
  });

  it("throws backend_api_unreachable when nothing listens", async () => {
    await signIn("user_ada");
    await expect(currentUser({ apiUrl: "http://127.0.0.1:1" })).rejects.toMatchObject({ code: "backend_api_unreachable" });
  });

  it("shares one request between concurrent calls, and keeps nothing after", async () => {
    await signIn("user_ada");
    const before = backend.requests.length;
    const [a, b] = await Promise.all([currentUser(), currentUser()]);
    expect(a?.id).toBe("user_ada");
    expect(b).toEqual(a);
    expect(backend.requests.length).toBe(before + 1);
    backend.users.set("user_ada", backendUser("user_ada", { first_name: "Augusta" }));
    expect((await currentUser())?.first_name).toBe("Augusta");
    backend.users.set("user_ada", backendUser("user_ada"));
  });
});
