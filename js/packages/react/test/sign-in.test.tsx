import { afterEach, describe, expect, it, vi } from "vitest";
import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { Latchkey } from "@latchkey/js";
import { SignIn, SignInButton } from "../src/components/sign-in";
import { en } from "../src/localization/en";
import { fr } from "../src/localization/fr";
import { LatchkeyProvider } from "../src/provider";
import { FakeClient } from "./fake-client";
import { makeEnvironment, makeUser } from "./fixtures";
import { renderWithClient } from "./render";

afterEach(() => {
  window.history.replaceState(null, "", "/");
});

function setup(props: Parameters<typeof SignIn>[0] = {}, client = new FakeClient()) {
  const onComplete = vi.fn();
  const result = renderWithClient(<SignIn onComplete={onComplete} {...props} />, { client });
  const flow = () => {
    const f = client.signInFlows.at(-1);
    if (!f) throw new Error("no flow");
    return f;
  };
  return { ...result, client, onComplete, flow };
}

async function type(label: string | RegExp, value: string) {
  await act(async () => fireEvent.change(screen.getByLabelText(label), { target: { value } }));
}

async function press(name: string | RegExp) {
  await act(async () => fireEvent.click(screen.getByRole("button", { name })));
}

describe("<SignIn />", () => {
  it("starts with the identifier, the app's name and a link to sign up", () => {
    const { container } = setup();
    expect(screen.getByRole("heading", { level: 1, name: "Sign in" })).toBeTruthy();
    expect(screen.getByText("to continue to Acme")).toBeTruthy();
    const input = screen.getByLabelText("Email address") as HTMLInputElement;
    expect(input.autocomplete).toBe("username");
    expect(input.type).toBe("email");
    expect(input.inputMode).toBe("email");
    expect(screen.getByRole("link", { name: "Sign up" }).getAttribute("href")).toBe("/sign-up");
    const root = container.querySelector(".lk-signIn-root") as HTMLElement;
    expect(root.classList.contains("lk-root")).toBe(true);
    expect(root.getAttribute("data-step")).toBe("identifier");
    expect(document.activeElement).toBe(input);
  });

  it("labels the identifier by the identifiers used for sign-in", () => {
    setup({}, new FakeClient({ environment: makeEnvironment({ identifiers: { username: { enabled: true, used_for_sign_in: true } } }) }));
    const input = screen.getByLabelText("Email address or username") as HTMLInputElement;
    expect(input.type).toBe("text");
    expect(input.inputMode).toBe("");
  });

  it("signs in with a password: a wrong one shows the error on the field, the right one completes", async () => {
    const { onComplete, client, container } = setup();
    await type("Email address", "ada@example.com");
    await press("Continue");
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Enter your password");
    const password = screen.getByLabelText("Password") as HTMLInputElement;
    expect(password.autocomplete).toBe("current-password");
    expect(document.activeElement).toBe(password);
    expect(screen.getByText("ada@example.com")).toBeTruthy();
    const hidden = container.querySelector(".lk-signIn-hiddenIdentifier") as HTMLInputElement;
    expect(hidden.value).toBe("ada@example.com");
    expect(hidden.autocomplete).toBe("username");

    await type("Password", "wrong password");
    await press("Continue");
    const error = screen.getByRole("alert");
    expect(error.textContent).toBe("The password is incorrect. Try again, or use another method.");
    expect(password.getAttribute("aria-describedby")).toBe(error.id);
    expect(password.getAttribute("aria-invalid")).toBe("true");

    await type("Password", client.password);
    await press("Continue");
    expect(screen.getByText("You are signed in.")).toBeTruthy();
    expect(onComplete).toHaveBeenCalledTimes(1);
    expect(onComplete).toHaveBeenCalledWith({ sessionId: "sess_new", redirectUrl: "/" });
  });

  it("shows busy state while a request is in flight", async () => {
    const { client, container } = setup();
    await type("Email address", "ada@example.com");
    const release = client.hold();
    await press("Continue");
    const submit = screen.getByRole("button", { name: "Continue" });
    expect(submit.hasAttribute("data-busy")).toBe(true);
    expect(submit.querySelector(".lk-common-spinner")).not.toBeNull();
    expect(container.querySelector(".lk-signIn-root")?.hasAttribute("data-busy")).toBe(true);
    await act(async () => release());
    await waitFor(() => expect(screen.getByLabelText("Password")).toBeTruthy());
  });

  it("signs in with an emailed code through 'Use another method'", async () => {
    const { onComplete, client, flow } = setup();
    await type("Email address", "ada@example.com");
    await press("Continue");
    await press("Use another method");
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Use another method");
    const options = screen.getAllByRole("button").filter((b) => b.classList.contains("lk-signIn-strategy"));
    expect(options.map((o) => o.textContent)).toEqual(["Email a code to a***@example.com", "Email a sign-in link to a***@example.com", "Sign in with your password"]);
    await press("Email a code to a***@example.com");
    expect(screen.getByText("Enter the code we sent to a***@example.com")).toBeTruthy();
    const code = screen.getByLabelText("Verification code") as HTMLInputElement;
    expect(code.autocomplete).toBe("one-time-code");
    expect(document.activeElement).toBe(code);

    await press("Resend code");
    expect(flow().actions).toContain("resend");

    await type("Verification code", "111111");
    await waitFor(() => expect(screen.getByRole("alert").textContent).toBe("The code is incorrect."));
    await type("Verification code", client.code);
    await waitFor(() => expect(onComplete).toHaveBeenCalledTimes(1));
  });

  it("waits for an email link and completes when it is opened elsewhere", async () => {
    const { onComplete, flow } = setup();
    await type("Email address", "ada@example.com");
    await press("Continue");
    await press("Use another method");
    await press("Email a sign-in link to a***@example.com");
    expect(screen.getByRole("status").textContent).toContain("Open the link in the email");
    expect(screen.getByRole("button", { name: "Resend link" })).toBeTruthy();
    await press("Use another method");
    await press("Email a sign-in link to a***@example.com");
    await act(async () => flow().complete());
    expect(onComplete).toHaveBeenCalledTimes(1);
  });

  it("resets a forgotten password with a code, then sets a new one", async () => {
    const { onComplete, client } = setup();
    await type("Email address", "ada@example.com");
    await press("Continue");
    await press("Forgot password?");
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Forgot your password?");
    await press("Email me a code to reset my password");
    expect(screen.getByText("Enter the code we sent to a***@example.com to reset your password")).toBeTruthy();
    await type("Verification code", client.code);
    await waitFor(() => expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Set a new password"));
    const input = screen.getByLabelText("New password") as HTMLInputElement;
    expect(input.autocomplete).toBe("new-password");
    expect((screen.getByLabelText("Sign out of all other devices") as HTMLInputElement).checked).toBe(true);
    await type("New password", "short");
    await press("Reset password");
    expect(screen.getByRole("alert").textContent).toBe("The password is too short.");
    await type("New password", "a much longer password");
    await press("Reset password");
    expect(onComplete).toHaveBeenCalledTimes(1);
  });

  it("offers a reset link and goes back from it", async () => {
    setup();
    await type("Email address", "ada@example.com");
    await press("Continue");
    await press("Forgot password?");
    await press("Email me a link to reset my password");
    expect(screen.getByText("We sent a link to reset your password to a***@example.com")).toBeTruthy();
    await press("Back");
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Forgot your password?");
    await press("Back");
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Enter your password");
    await press("Change");
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Sign in");
  });

  it("shows an error without a field as a global alert", async () => {
    const { client } = setup();
    await type("Email address", "ada@example.com");
    client.failNext("signIn.submitIdentifier", "rate_limit_exceeded");
    await press("Continue");
    expect(screen.getByRole("alert").textContent).toBe("Too many attempts. Wait a moment and try again.");
    expect(screen.getByRole("alert").className).toBe("lk-signIn-globalError");
  });

  it("prefills initialValues", () => {
    setup({ initialValues: { identifier: "grace@example.com" } });
    expect((screen.getByLabelText("Email address") as HTMLInputElement).value).toBe("grace@example.com");
  });

  it("shows a loading state until the environment is known", () => {
    setup({}, new FakeClient({ environment: null, loaded: false }));
    expect(screen.getByRole("status").textContent).toBe("Loading…");
    expect(screen.queryByLabelText("Email address")).toBeNull();
  });

  it("navigates to ?redirect_url= on the same origin, never to another site", async () => {
    const assign = vi.spyOn(window.location, "assign").mockImplementation(() => undefined);
    window.history.replaceState(null, "", "/sign-in?redirect_url=%2Fdashboard%3Ftab%3D1");
    const client = new FakeClient();
    renderWithClient(<SignIn afterSignInUrl="/home" />, { client });
    expect(screen.getByRole("link", { name: "Sign up" }).getAttribute("href")).toBe("/sign-up?redirect_url=%2Fdashboard%3Ftab%3D1");
    await act(async () => client.signInFlows[0]?.complete());
    expect(assign).toHaveBeenCalledWith("/dashboard?tab=1");

    assign.mockClear();
    window.history.replaceState(null, "", "/sign-in?redirect_url=https%3A%2F%2Fevil.example%2F");
    const other = new FakeClient();
    renderWithClient(<SignIn afterSignInUrl="/home" />, { client: other });
    await act(async () => other.signInFlows[0]?.complete());
    expect(assign).toHaveBeenCalledWith("/home");
    assign.mockRestore();
  });

  it.each([
    ["a doubled slash", "ORIGIN//evil.example/x"],
    ["a backslash", "ORIGIN/\\evil.example/x"],
    ["dot segments", "/.//evil.example/x"],
  ])("never leaves the site through a same-origin URL whose path looks like another host (%s)", async (_, target) => {
    const assign = vi.spyOn(window.location, "assign").mockImplementation(() => undefined);
    const value = target.replace("ORIGIN", window.location.origin);
    window.history.replaceState(null, "", `/sign-in?redirect_url=${encodeURIComponent(value)}`);
    const client = new FakeClient();
    renderWithClient(<SignIn afterSignInUrl="/home" />, { client });
    const signUp = screen.getByRole("link", { name: "Sign up" }).getAttribute("href") ?? "";
    expect(new URLSearchParams(signUp.split("?")[1]).get("redirect_url")).toBe("/evil.example/x");
    await act(async () => client.signInFlows[0]?.complete());
    const url = String(assign.mock.calls[0]?.[0]);
    expect(url).toBe("/evil.example/x");
    expect(new URL(url, window.location.href).origin).toBe(window.location.origin);
    assign.mockRestore();
  });

  it("mints a session token (refreshing the cookie) before navigating, and navigates even if that fails", async () => {
    const assign = vi.spyOn(window.location, "assign").mockImplementation(() => undefined);
    window.history.replaceState(null, "", "/sign-in");
    const client = new FakeClient({ user: makeUser() });
    client.failNext("getToken", "network_error");
    renderWithClient(<SignIn afterSignInUrl="/home" />, { client });
    expect(assign).not.toHaveBeenCalled();
    await act(async () => {});
    expect(client.calls).toContain("getToken");
    expect(assign).toHaveBeenCalledWith("/home");
    assign.mockRestore();
  });

  it("redirectUrl wins over the query", async () => {
    window.history.replaceState(null, "", "/sign-in?redirect_url=%2Fdashboard");
    const { onComplete, flow } = setup({ redirectUrl: "/always" });
    await act(async () => flow().complete());
    expect(onComplete).toHaveBeenCalledWith({ sessionId: "sess_new", redirectUrl: "/always" });
  });

  it("sends someone already signed in on at once when one session per browser is allowed", () => {
    const { onComplete } = setup({}, new FakeClient({ user: makeUser() }));
    expect(onComplete).toHaveBeenCalledWith({ sessionId: null, redirectUrl: "/" });
  });

  it("shows the form to someone signed in when several sessions are allowed", () => {
    const { onComplete } = setup({}, new FakeClient({ user: makeUser(), environment: makeEnvironment({ session: { multi_session: true } }) }));
    expect(onComplete).not.toHaveBeenCalled();
    expect(screen.getByLabelText("Email address")).toBeTruthy();
  });

  it("hides the sign-up link when sign-up is not public", () => {
    setup({}, new FakeClient({ environment: makeEnvironment({ sign_up: { mode: "restricted" } }) }));
    expect(screen.queryByRole("link", { name: "Sign up" })).toBeNull();
  });

  it("speaks French with the fr locale, and takes single overrides", () => {
    renderWithClient(<SignIn localization={{ signIn: { continue: "Suivant" } }} />, { client: new FakeClient(), localization: fr });
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Connexion");
    expect(screen.getByLabelText("Adresse e-mail")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Suivant" })).toBeTruthy();
    expect(screen.getByRole("link", { name: "Créer un compte" })).toBeTruthy();
  });

  it("renders in a modal dialog that closes with its button", async () => {
    const onOpenChange = vi.fn();
    const { container } = setup({ mode: "modal", open: true, onOpenChange });
    const dialog = container.querySelector("dialog") as HTMLDialogElement;
    expect(dialog.open).toBe(true);
    expect(dialog.getAttribute("aria-label")).toBe("Sign in");
    expect(dialog.classList.contains("lk-root")).toBe(true);
    expect(dialog.classList.contains("lk-signIn-modal")).toBe(true);
    await press("Close");
    expect(onOpenChange).toHaveBeenCalledWith(false);
  });

  it("exposes its primitives as SignIn.Root and SignIn.Step", () => {
    renderWithClient(
      <SignIn.Root aria-label="custom">
        <SignIn.Step name="identifier">
          <p>custom identifier step</p>
        </SignIn.Step>
        <SignIn.Step name="password">
          <p>custom password step</p>
        </SignIn.Step>
      </SignIn.Root>,
    );
    expect(screen.getByText("custom identifier step")).toBeTruthy();
    expect(screen.queryByText("custom password step")).toBeNull();
    expect(screen.getByRole("form", { name: "custom" }).getAttribute("data-step")).toBe("identifier");
  });
});

describe("<SignIn /> with a real client", () => {
  it("shows the localized message, not the raw text, when a flow action throws a plain Error", async () => {
    const client = { object: "client", id: "client_1", sessions: [], sign_in: null, sign_up: null, last_active_session_id: null, created_at: 1, updated_at: 1 };
    const json = (body: unknown) => new Response(JSON.stringify(body), { headers: { "Content-Type": "application/json" } });
    // The sign-in answer is null, so the flow's action throws a TypeError
    // (not a LatchkeyError): it becomes unexpected_error.
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const path = new URL(String(input), "http://app.test").pathname.replace(/^.*?\/v1(?=\/)/, "");
      const route = `${init?.method ?? "GET"} ${path}`;
      if (route === "GET /environment") return json(makeEnvironment());
      if (route === "GET /client") return json({ response: client, client });
      if (route === "POST /client/sign_ins") return json({ response: null, client });
      return new Response(JSON.stringify({ errors: [{ code: "route_not_found", message: route }] }), { status: 404, headers: { "Content-Type": "application/json" } });
    };
    const lk = new Latchkey({ fetch, crossTab: false, backgroundRefresh: false });
    try {
      render(
        <LatchkeyProvider client={lk}>
          <SignIn />
        </LatchkeyProvider>,
      );
      await waitFor(() => expect(screen.getByLabelText("Email address")).toBeTruthy());
      await type("Email address", "ada@example.com");
      await press("Continue");
      const alert = await screen.findByRole("alert");
      expect(alert.textContent).toBe(en.errors.unexpected_error);
      expect(alert.textContent).not.toMatch(/supported_first_factors|null|Cannot/);
    } finally {
      lk.destroy();
    }
  });
});

describe("<SignInButton />", () => {
  it("links to the sign-in page with a way back", () => {
    window.history.replaceState(null, "", "/pricing");
    renderWithClient(<SignInButton />);
    const link = screen.getByRole("link", { name: "Sign in" });
    expect(link.getAttribute("href")).toBe("/sign-in?redirect_url=http%3A%2F%2Flocalhost%3A3000%2Fpricing");
    expect(link.className).toBe("lk-root lk-signIn-trigger");
  });

  it("opens the modal in modal mode", async () => {
    const { container } = renderWithClient(<SignInButton mode="modal">Log in</SignInButton>);
    expect(container.querySelector("dialog")?.open).toBe(false);
    await press("Log in");
    expect(container.querySelector("dialog")?.open).toBe(true);
    expect(screen.getByLabelText("Email address")).toBeTruthy();
  });
});
