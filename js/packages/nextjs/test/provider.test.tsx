import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { isValidElement, type ReactElement } from "react";
import { nextHeadersMock, nextNavigationMock, requestHeaders } from "./support/next_mocks";

vi.mock("next/headers", () => nextHeadersMock);
vi.mock("next/navigation", () => nextNavigationMock);
// The client provider stands in for @latchkey/react's: this file checks what
// the server hands it (provider_render.test.tsx renders the real one).
vi.mock("@latchkey/react", () => ({ LatchkeyProvider: function ClientProvider() {
  return null;
} }));

import { LatchkeyProvider } from "../src/provider";
import { backendUser, SECRET_KEY, startBackend, type FakeBackend } from "./support/backend_api";
import { clearLatchkeyEnv } from "./support/env";
import { startJwksServer, type JwksServer } from "./support/jwks_server";
import { mint, newKey, type TestKey } from "./support/tokens";
import type { InitialState } from "@latchkey/js";

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
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

type ClientProps = { initialState: InitialState; frontendApi: string; appearance?: unknown; children?: unknown };

async function render(props: Parameters<typeof LatchkeyProvider>[0] = {}): Promise<ClientProps> {
  const el = (await LatchkeyProvider(props)) as ReactElement<ClientProps>;
  expect(isValidElement(el)).toBe(true);
  expect((el.type as { name: string }).name).toBe("ClientProvider");
  return el.props;
}

describe("LatchkeyProvider (server)", () => {
  it("hands the signed-in user, session, token and claims to the client provider", async () => {
    const token = await mint(key, { sub: "user_ada", sid: "sess_ada" });
    requestHeaders.current = new Headers({ host: "localhost:3000", cookie: `__lk_session=${token}` });
    const props = await render({ appearance: { unstyled: true }, children: "app" });
    expect(props.initialState.userId).toBe("user_ada");
    expect(props.initialState.sessionId).toBe("sess_ada");
    expect(props.initialState.token).toBe(token);
    expect(props.initialState.claims?.sid).toBe("sess_ada");
    expect(props.initialState.user?.first_name).toBe("Ada");
    expect(props.frontendApi).toBe("/__latchkey");
    expect(props.appearance).toEqual({ unstyled: true });
    expect(props.children).toBe("app");
  });

  it("never sends private_metadata to the browser", async () => {
    requestHeaders.current = new Headers({ host: "localhost:3000", cookie: `__lk_session=${await mint(key, { sub: "user_ada" })}` });
    const props = await render();
    expect(props.initialState.user).not.toHaveProperty("private_metadata");
    expect(JSON.stringify(props.initialState)).not.toContain("cus_secret");
    expect(props.initialState.user?.public_metadata).toEqual({ plan: "pro" });
  });

  it("hands a signed-out state without calling the Backend API", async () => {
    const before = backend.requests.length;
    const props = await render();
    expect(props.initialState).toEqual({ userId: null, sessionId: null, user: null, token: null, claims: null });
    expect(backend.requests.length).toBe(before);
  });

  it("takes frontendApi from the prop or NEXT_PUBLIC_LATCHKEY_FRONTEND_API", async () => {
    vi.stubEnv("NEXT_PUBLIC_LATCHKEY_FRONTEND_API", "https://auth.example.com");
    vi.stubEnv("LATCHKEY_ISSUER", "https://auth.example.com");
    expect((await render()).frontendApi).toBe("https://auth.example.com");
    expect((await render({ frontendApi: "/auth" })).frontendApi).toBe("/auth");
  });

  it("leaves the user to the browser when the Backend API fails", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
    requestHeaders.current = new Headers({ host: "localhost:3000", cookie: `__lk_session=${await mint(key, { sub: "user_ada" })}` });
    const props = await render({ options: { apiUrl: "http://127.0.0.1:1" } });
    expect(props.initialState.userId).toBe("user_ada");
    expect(props.initialState.user).toBeNull();
    expect(error).toHaveBeenCalledOnce();
  });

  it("throws secret_key_missing for a signed-in request without the key", async () => {
    vi.stubEnv("LATCHKEY_SECRET_KEY", "");
    requestHeaders.current = new Headers({ host: "localhost:3000", cookie: `__lk_session=${await mint(key, { sub: "user_ada" })}` });
    await expect(LatchkeyProvider({})).rejects.toMatchObject({ code: "secret_key_missing" });
  });
});
