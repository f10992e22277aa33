// The package's entry points, against the real @latchkey/react: what each
// export condition of "@latchkey/nextjs" provides, and that the server
// provider's output, rendered to HTML, already shows the signed-in user.

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { renderToString } from "react-dom/server";
import * as react from "@latchkey/react";
import { nextHeadersMock, nextNavigationMock, requestHeaders } from "./support/next_mocks";

vi.mock("next/headers", () => nextHeadersMock);
vi.mock("next/navigation", () => nextNavigationMock);

import * as clientEntry from "../src/index";
import * as serverEntry from "../src/index.server";
import { LatchkeyProvider } from "../src/provider";
import { backendUser, SECRET_KEY, startBackend, type FakeBackend } from "./support/backend_api";
import { clearLatchkeyEnv } from "./support/env";
import { startJwksServer, type JwksServer } from "./support/jwks_server";
import { mint, newKey, type TestKey } from "./support/tokens";

const CONTRACT = [
  "LatchkeyProvider",
  "SignIn",
  "SignUp",
  "UserButton",
  "UserProfile",
  "SignedIn",
  "SignedOut",
  "Protect",
  "RedirectToSignIn",
  "useAuth",
  "useUser",
  "useSession",
  "useSessionList",
  "useSignIn",
  "useSignUp",
  "useLatchkey",
];

describe("the package root", () => {
  it("exports the contract's components and hooks in both conditions", () => {
    for (const name of CONTRACT) {
      expect(typeof (clientEntry as Record<string, unknown>)[name], `client ${name}`).toBe("function");
      expect(typeof (serverEntry as Record<string, unknown>)[name], `server ${name}`).toBe("function");
    }
  });

  it("re-exports @latchkey/react's own components and hooks", () => {
    for (const name of CONTRACT.filter((n) => n !== "LatchkeyProvider")) {
      expect((serverEntry as Record<string, unknown>)[name], name).toBe((react as Record<string, unknown>)[name]);
    }
  });

  it("gives client components @latchkey/react's provider and server components the async one", () => {
    expect(clientEntry.LatchkeyProvider).toBe(react.LatchkeyProvider);
    expect(serverEntry.LatchkeyProvider).toBe(LatchkeyProvider);
    expect(serverEntry.LatchkeyProvider).not.toBe(react.LatchkeyProvider);
  });
});

describe("the server provider, rendered", () => {
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
  });
  afterEach(() => vi.unstubAllEnvs());

  function Greeting() {
    const { user } = react.useUser();
    return <p>Hello, {user?.first_name}</p>;
  }

  async function html(): Promise<string> {
    const tree = await LatchkeyProvider({
      children: (
        <>
          <react.SignedIn>
            <Greeting />
          </react.SignedIn>
          <react.SignedOut>
            <p>Please sign in</p>
          </react.SignedOut>
        </>
      ),
    });
    return renderToString(tree);
  }

  it("already shows the signed-in user in the server HTML", async () => {
    requestHeaders.current = new Headers({ host: "localhost:3000", cookie: `__lk_session=${await mint(key, { sub: "user_ada" })}` });
    const out = await html();
    expect(out).toContain("Hello, <!-- -->Ada");
    expect(out).not.toContain("Please sign in");
  });

  it("shows the signed-out view for a signed-out request", async () => {
    requestHeaders.current = new Headers({ host: "localhost:3000" });
    const out = await html();
    expect(out).toContain("Please sign in");
    expect(out).not.toContain("Hello");
  });
});
