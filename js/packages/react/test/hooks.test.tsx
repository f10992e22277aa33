import { describe, expect, it, vi } from "vitest";
import { act, render, screen, waitFor } from "@testing-library/react";
import { renderToString } from "react-dom/server";
import { hydrateRoot } from "react-dom/client";
import type { InitialState } from "@latchkey/js";
import { LatchkeyProvider } from "../src/provider";
import { useAuth, useLatchkey, useSession, useSessionList, useSignIn, useSignUp, useUser } from "../src/hooks";
import { UsageError } from "../src/usage-error";
import { FakeClient } from "./fake-client";
import { makeUser } from "./fixtures";
import { renderWithClient } from "./render";

function Who() {
  const { isLoaded, isSignedIn, userId } = useAuth();
  const { user } = useUser();
  if (!isLoaded) return <p>loading</p>;
  return <p>{isSignedIn ? `hello ${user?.first_name ?? "?"} (${userId})` : "signed out"}</p>;
}

const initial: InitialState = { userId: "user_1", sessionId: "sess_1", user: makeUser({ first_name: "Grace" }), claims: { sub: "user_1" } };

describe("LatchkeyProvider with initialState", () => {
  it("renders the signed-in user on the server before the client loads", () => {
    const client = new FakeClient({ loaded: false, environment: null });
    const html = renderToString(
      <LatchkeyProvider client={client} initialState={initial}>
        <Who />
      </LatchkeyProvider>,
    );
    expect(html).toContain("hello Grace (user_1)");
    expect(client.calls).not.toContain("load");
  });

  it("hydrates the server HTML without a mismatch, then follows the client", async () => {
    const server = new FakeClient({ loaded: false, environment: null });
    const html = renderToString(
      <LatchkeyProvider client={server} initialState={initial}>
        <Who />
      </LatchkeyProvider>,
    );
    const container = document.createElement("div");
    container.innerHTML = html;
    document.body.append(container);

    const browser = new FakeClient({ loaded: false, environment: null });
    browser.signInAs(makeUser({ first_name: "Grace" }));
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const recoverable: unknown[] = [];
    await act(async () => {
      hydrateRoot(
        container,
        <LatchkeyProvider client={browser} initialState={initial}>
          <Who />
        </LatchkeyProvider>,
        { onRecoverableError: (e) => recoverable.push(e) },
      );
    });
    expect(recoverable).toEqual([]);
    expect(errors).not.toHaveBeenCalled();
    errors.mockRestore();
    expect(container.textContent).toBe("hello Grace (user_1)");
    expect(browser.calls).toContain("load");

    await act(async () => browser.signOutNow());
    expect(container.textContent).toBe("signed out");
    container.remove();
  });

  it("without initialState renders the client's own state (loading first)", async () => {
    const client = new FakeClient({ loaded: false });
    render(
      <LatchkeyProvider client={client}>
        <Who />
      </LatchkeyProvider>,
    );
    expect(screen.getByText("loading")).toBeTruthy();
    await waitFor(() => expect(screen.getByText("signed out")).toBeTruthy());
  });
});

describe("hooks", () => {
  it("throw provider_missing outside the provider", () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    expect(() => render(<Who />)).toThrowError(expect.objectContaining({ code: "provider_missing" }) as UsageError);
    errors.mockRestore();
  });

  it("useAuth gives getToken, signOut and has() over the token's claims", async () => {
    let auth!: ReturnType<typeof useAuth>;
    function Probe() {
      auth = useAuth();
      return null;
    }
    const { client } = renderWithClient(<Probe />, { init: { user: makeUser(), claims: { o: { id: "org_1", role: "admin", permissions: ["org:billing:manage"] } } } });
    expect(auth.isSignedIn).toBe(true);
    expect(auth.has({ role: "admin" })).toBe(true);
    expect(auth.has({ role: "member" })).toBe(false);
    expect(auth.has({ permission: "org:billing:manage" })).toBe(true);
    expect(auth.has({ role: "admin", permission: "org:other" })).toBe(false);
    await expect(auth.getToken()).resolves.toBe("fake-token-sess_1");
    await act(() => auth.signOut());
    expect(client.calls).toContain("signOut");
    expect(auth.isSignedIn).toBe(false);
    expect(auth.has({})).toBe(false);
  });

  it("useSession, useSessionList and useLatchkey read the client", async () => {
    let seen!: { session: ReturnType<typeof useSession>; list: ReturnType<typeof useSessionList>; client: ReturnType<typeof useLatchkey> };
    function Probe() {
      seen = { session: useSession(), list: useSessionList(), client: useLatchkey() };
      return null;
    }
    const { client } = renderWithClient(<Probe />, { init: { user: makeUser() } });
    expect(seen.client).toBe(client);
    expect(seen.session.session?.id).toBe("sess_1");
    expect(seen.list.sessions.map((s) => s.id)).toEqual(["sess_1"]);
    await act(() => seen.list.setActive("sess_1"));
    expect(client.calls).toContain("setActive:sess_1");
  });

  it("useSignIn and useSignUp make a flow, follow its state and destroy it on unmount", async () => {
    let signIn!: ReturnType<typeof useSignIn>;
    let signUp!: ReturnType<typeof useSignUp>;
    function Probe() {
      signIn = useSignIn();
      signUp = useSignUp();
      return <p>{`${signIn.step}/${signUp.step}/${String(signIn.values.identifier)}`}</p>;
    }
    const { client, unmount, container } = renderWithClient(<Probe />);
    expect(container.textContent).toBe("identifier/start/");
    act(() => signIn.setField("identifier", "ada@example.com"));
    expect(container.textContent).toBe("identifier/start/ada@example.com");
    await act(() => signIn.submitIdentifier());
    expect(container.textContent).toBe("password/start/ada@example.com");
    expect(signIn.flow).toBe(client.signInFlows[0]);
    expect(signUp.fields.map((f) => f.name)).toEqual(["first_name", "last_name", "email_address", "password"]);
    unmount();
    await Promise.resolve();
    expect(client.signInFlows[0]?.destroyed).toBe(true);
    expect(client.signUpFlows[0]?.destroyed).toBe(true);
  });
});
