// Social sign-in in the components: the provider buttons of <SignIn /> and
// <SignUp /> (order, placement, variant, slot, keyboard, busy), the errors
// a provider's round trip comes back with, the transfers between sign-in and
// sign-up, the headless Connection / SocialButtons primitives, and the
// Connected accounts section of <UserProfile />.

import { afterEach, describe, expect, it, vi } from "vitest";
import { act, fireEvent, screen, within } from "@testing-library/react";
import { Connection, SignIn, SignUp, SocialButtons, UserProfile, type SocialButtonProps } from "../src/index";
import { en } from "../src/localization/en";
import { fr } from "../src/localization/fr";
import { FakeClient, type FakeSignInFlow, type FakeSignUpFlow } from "./fake-client";
import { makeEnvironment, makeExternalAccount, makeUser, socialProviders } from "./fixtures";
import { renderWithClient } from "./render";

afterEach(() => {
  window.history.replaceState(null, "", "/");
  vi.restoreAllMocks();
});

const social = () => makeEnvironment({ social: socialProviders });

function signIn(props: Parameters<typeof SignIn>[0] = {}, client = new FakeClient({ environment: social() })) {
  const result = renderWithClient(<SignIn onComplete={() => undefined} {...props} />, { client });
  return { ...result, client, flow: () => client.signInFlows.at(-1) as FakeSignInFlow };
}

function signUp(props: Parameters<typeof SignUp>[0] = {}, client = new FakeClient({ environment: social() })) {
  const result = renderWithClient(<SignUp onComplete={() => undefined} {...props} />, { client });
  return { ...result, client, flow: () => client.signUpFlows.at(-1) as FakeSignUpFlow };
}

const buttons = (container: HTMLElement, component = "signIn") => Array.from(container.querySelectorAll<HTMLButtonElement>(`.lk-${component}-socialButton`));

async function press(el: HTMLElement) {
  await act(async () => fireEvent.click(el));
}

describe("<SignIn /> social buttons", () => {
  it("lists the enabled providers in the environment's order, above an 'or' divider", () => {
    const { container } = signIn();
    const list = buttons(container);
    expect(list.map((b) => b.textContent)).toEqual(["Continue with Google", "Continue with GitHub", "Continue with Acme SSO"]);
    expect(list.map((b) => b.getAttribute("data-provider"))).toEqual(["google", "github", "acme_sso"]);
    // Each carries a per-provider modifier class besides its part class.
    expect(list.map((b) => b.classList.contains(`lk-signIn-socialButton__${b.getAttribute("data-provider")}`))).toEqual([true, true, true]);
    const step = container.querySelector(".lk-signIn-step") as HTMLElement;
    const order = Array.from(step.children).map((el) => el.className.split(" ")[0]);
    expect(order.indexOf("lk-signIn-socialButtons")).toBeLessThan(order.indexOf("lk-signIn-divider"));
    expect(order.indexOf("lk-signIn-divider")).toBeLessThan(order.indexOf("lk-signIn-field"));
    expect(container.querySelector(".lk-signIn-dividerText")?.textContent).toBe("or");
    expect(screen.getByRole("separator")).toBeTruthy();
    // Each shows its mark from a data: URL, never an image request.
    const marks = Array.from(container.querySelectorAll<HTMLImageElement>(".lk-signIn-socialButtonIcon"));
    expect(marks).toHaveLength(3);
    for (const mark of marks) {
      expect(mark.getAttribute("src")).toMatch(/^data:image\/svg\+xml,/);
      expect(mark.getAttribute("alt")).toBe("");
    }
    expect(marks[0]?.getAttribute("src")).not.toBe(marks[2]?.getAttribute("src"));
  });

  it("shows no buttons and no divider without social providers (or from an older server)", () => {
    const { container } = signIn({}, new FakeClient());
    expect(buttons(container)).toEqual([]);
    expect(container.querySelector(".lk-signIn-divider")).toBeNull();
  });

  it("redirects with the provider's strategy, busy meanwhile", async () => {
    const { container, client, flow } = signIn();
    const release = client.hold();
    const github = buttons(container)[1] as HTMLButtonElement;
    await press(github);
    expect(flow().actions).toContain("authenticateWithRedirect:oauth_github");
    expect(github.hasAttribute("data-busy")).toBe(true);
    expect(github.getAttribute("aria-busy")).toBe("true");
    await act(async () => release());
    expect(client.navigated).toEqual(["https://github.example/authorize"]);
    expect(github.hasAttribute("data-busy")).toBe(false);
  });

  it("is operated by keyboard: native buttons in the tab order that never submit the form", async () => {
    const { container, flow } = signIn();
    for (const button of buttons(container)) {
      expect(button.tagName).toBe("BUTTON");
      expect(button.type).toBe("button");
      expect(button.tabIndex).toBe(0);
      expect(button.disabled).toBe(false);
    }
    // Enter in the identifier field submits the identifier, not a provider.
    await act(async () => fireEvent.change(screen.getByLabelText("Email address"), { target: { value: "ada@example.com" } }));
    await act(async () => fireEvent.submit(screen.getByLabelText("Email address").closest("form") as HTMLFormElement));
    expect(flow().actions).toEqual(["submitIdentifier"]);
    // A focused button is pressed by Enter or Space (the browser clicks it).
    await act(async () => flow().go("identifier"));
    const google = buttons(container)[0] as HTMLButtonElement;
    google.focus();
    expect(document.activeElement).toBe(google);
    await press(google);
    expect(flow().actions).toContain("authenticateWithRedirect:oauth_google");
  });

  it("goes below the form with socialButtonsPlacement: bottom, and shows marks only with socialButtonsVariant: icon", () => {
    const { container } = signIn({ appearance: { layout: { socialButtonsPlacement: "bottom", socialButtonsVariant: "icon" } } });
    const step = container.querySelector(".lk-signIn-step") as HTMLElement;
    const order = Array.from(step.children).map((el) => el.className.split(" ")[0]);
    expect(order.indexOf("lk-signIn-submit")).toBeLessThan(order.indexOf("lk-signIn-divider"));
    expect(order.indexOf("lk-signIn-divider")).toBeLessThan(order.indexOf("lk-signIn-socialButtons"));
    expect(container.querySelector(".lk-signIn-socialButtons")?.getAttribute("data-variant")).toBe("icon");
    expect(container.querySelector(".lk-signIn-socialButtonText")).toBeNull();
    expect(screen.getByRole("button", { name: "Continue with Google" }).getAttribute("title")).toBe("Continue with Google");
  });

  it("shows them on the first step only", async () => {
    const { container, flow } = signIn();
    await act(async () => flow().go("password"));
    expect(buttons(container)).toEqual([]);
  });

  it("renders the app's SocialButton slot, with the part props and the provider", async () => {
    function Mine({ provider, busy, children, ...props }: SocialButtonProps) {
      return (
        <button {...props} data-mine={provider} data-mine-busy={busy ? "yes" : "no"}>
          {children}
        </button>
      );
    }
    const { container, flow } = signIn({ components: { SocialButton: Mine } });
    const list = buttons(container);
    expect(list.map((b) => b.getAttribute("data-mine"))).toEqual(["google", "github", "acme_sso"]);
    expect(list[0]?.getAttribute("data-mine-busy")).toBe("no");
    await press(list[0] as HTMLElement);
    expect(flow().actions).toContain("authenticateWithRedirect:oauth_google");
  });

  it("shows the error a provider's round trip came back with, localized", async () => {
    const { flow } = signIn({ localization: fr });
    await act(async () => flow().fail("oauth_access_denied"));
    expect(screen.getByRole("alert").textContent).toBe(fr.errors.oauth_access_denied);
    expect(screen.getByRole("button", { name: "Continuer avec Google" })).toBeTruthy();
    expect(document.querySelector(".lk-signIn-dividerText")?.textContent).toBe("ou");
  });

  it("moves to sign-up when the provider's identity has no account, transferring the sign-in", async () => {
    const client = new FakeClient({ environment: social() });
    const { flow } = signIn({}, client);
    await act(async () => {
      flow().transferable = true;
      flow().go("identifier");
    });
    const up = client.signUpFlows.at(-1) as FakeSignUpFlow;
    expect(up.options).toEqual({ transfer: true });
    await act(async () => undefined);
    expect(up.actions).toContain("transfer");
    expect(up.getState().step).toBe("continue");
    expect(screen.getByLabelText("Username")).toBeTruthy();
    expect(document.querySelector(".lk-signUp-root")).not.toBeNull();
  });
});

describe("<SignUp /> social buttons", () => {
  it("lists the providers on the first step and signs up with the strategy", async () => {
    const { container, flow } = signUp();
    expect(buttons(container, "signUp").map((b) => b.textContent)).toEqual(["Continue with Google", "Continue with GitHub", "Continue with Acme SSO"]);
    await press(buttons(container, "signUp")[1] as HTMLElement);
    expect(flow().actions).toContain("authenticateWithRedirect:oauth_github");
  });

  it("does not show them on the continue step", async () => {
    const { container, flow } = signUp();
    await act(async () => flow().go("continue"));
    expect(buttons(container, "signUp")).toEqual([]);
    expect(container.querySelector(".lk-signUp-divider")).toBeNull();
  });

  it("moves to sign-in when the provider's identity has an account, transferring the sign-up", async () => {
    const onComplete = vi.fn();
    const client = new FakeClient({ environment: social() });
    const { flow } = signUp({ onComplete }, client);
    await act(async () => {
      flow().transferable = true;
      flow().go("start");
    });
    const inFlow = client.signInFlows.at(-1) as FakeSignInFlow;
    expect(inFlow.options).toEqual({ transfer: true });
    await act(async () => undefined);
    expect(inFlow.actions).toContain("transfer");
    expect(inFlow.getState().step).toBe("complete");
    expect(client.getState().isSignedIn).toBe(true);
  });
});

describe("Connection and SocialButtons primitives", () => {
  it("render each provider through a render prop, with data-provider and data-busy, calling onSelect", async () => {
    const client = new FakeClient({ environment: social() });
    let finish!: () => void;
    const onSelect = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    renderWithClient(
      <SocialButtons onSelect={onSelect}>
        {(provider, select) => (
          <Connection provider={provider} onSelect={select} className="mine">
            {({ provider: p, busy }) => `${p.name}${busy ? " …" : ""}`}
          </Connection>
        )}
      </SocialButtons>,
      { client },
    );
    const list = screen.getAllByRole("button");
    expect(list.map((b) => b.textContent)).toEqual(["Google", "GitHub", "Acme SSO"]);
    expect(list[0]?.className).toBe("mine");
    await press(list[1] as HTMLElement);
    expect(onSelect).toHaveBeenCalledWith("oauth_github");
    expect(list[1]?.getAttribute("data-provider")).toBe("github");
    expect(list[1]?.hasAttribute("data-busy")).toBe(true);
    expect(list[1]?.textContent).toBe("GitHub …");
    // A second press while busy does nothing.
    await press(list[1] as HTMLElement);
    expect(onSelect).toHaveBeenCalledTimes(1);
    await act(async () => finish());
    expect(list[1]?.hasAttribute("data-busy")).toBe(false);
  });

  it("inside <SignIn.Root> a Connection starts that flow's redirect", async () => {
    const client = new FakeClient({ environment: social() });
    renderWithClient(
      <SignIn.Root>
        <Connection provider={socialProviders[0]!}>Google</Connection>
      </SignIn.Root>,
      { client },
    );
    await press(screen.getByRole("button", { name: "Google" }));
    expect((client.signInFlows.at(-1) as FakeSignInFlow).actions).toContain("authenticateWithRedirect:oauth_google");
  });
});

describe("<UserProfile /> connected accounts", () => {
  const withAccounts = (accounts = [makeExternalAccount({ provider: "google", email_address: "ada@gmail.example" })]) =>
    new FakeClient({ user: makeUser({ external_accounts: accounts }), environment: social() });

  function region(): HTMLElement {
    return screen.getByRole("region", { name: "Connected accounts" });
  }

  it("is absent when the instance has no social providers", () => {
    renderWithClient(<UserProfile />, { client: new FakeClient({ user: makeUser({ external_accounts: [makeExternalAccount()] }) }) });
    expect(screen.queryByRole("region", { name: "Connected accounts" })).toBeNull();
  });

  it("lists connected accounts and offers the providers not connected yet", () => {
    renderWithClient(<UserProfile />, { client: withAccounts() });
    const item = region().querySelector(".lk-userProfile-accountItem") as HTMLElement;
    expect(item.getAttribute("data-provider")).toBe("google");
    expect(within(item).getByText("Google")).toBeTruthy();
    expect(within(item).getByText("ada@gmail.example")).toBeTruthy();
    expect((item.querySelector(".lk-userProfile-accountIcon") as HTMLImageElement).src).toMatch(/^data:image\/svg\+xml,/);
    const connect = Array.from(region().querySelectorAll(".lk-userProfile-connectButton")).map((b) => b.textContent);
    expect(connect).toEqual(["Connect GitHub", "Connect Acme SSO"]);
  });

  it("says so when nothing is connected", () => {
    renderWithClient(<UserProfile />, { client: withAccounts([]) });
    expect(within(region()).getByText(en.userProfile.connectedAccounts.none)).toBeTruthy();
  });

  it("connects: goes to the provider with the strategy and this page", async () => {
    window.history.replaceState(null, "", "/account?tab=1");
    const client = withAccounts();
    renderWithClient(<UserProfile />, { client });
    await press(within(region()).getByRole("button", { name: "Connect GitHub" }));
    expect(client.calls).toContain("me.connectExternalAccount:oauth_github");
    expect(client.navigated).toEqual([`https://github.example/authorize?redirect_uri=${encodeURIComponent(`${location.origin}/account?tab=1`)}`]);
  });

  it("says to sign in again when the sign-in is not recent enough (reverification_required)", async () => {
    const client = withAccounts();
    renderWithClient(<UserProfile />, { client });
    client.failNext("me.connectExternalAccount:oauth_github", "reverification_required");
    await press(within(region()).getByRole("button", { name: "Connect GitHub" }));
    expect(within(region()).getByRole("alert").textContent).toBe("For your security, sign in again, then try once more.");
    expect(client.navigated).toEqual([]);
  });

  it("disconnects after confirmation", async () => {
    const client = withAccounts([makeExternalAccount({ provider: "google" }), makeExternalAccount({ provider: "github", email_address: "ada@github.example" })]);
    renderWithClient(<UserProfile />, { client });
    const github = within(region()).getByText("ada@github.example").closest("li") as HTMLElement;
    await press(within(github).getByRole("button", { name: "Disconnect" }));
    expect(within(github).getByText("Disconnect GitHub (ada@github.example)? You will no longer be able to sign in with it.")).toBeTruthy();
    expect(client.calls).not.toContain("me.disconnectExternalAccount");
    await act(async () => fireEvent.submit(github.querySelector(".lk-userProfile-confirm") as HTMLFormElement));
    expect(client.calls).toContain("me.disconnectExternalAccount");
    expect(within(region()).queryByText("ada@github.example")).toBeNull();
    expect(within(region()).getByRole("status").textContent).toBe("GitHub was disconnected.");
    expect(within(region()).getByRole("button", { name: "Connect GitHub" })).toBeTruthy();
  });

  it("shows the refusal to disconnect the last way to sign in", async () => {
    const client = withAccounts();
    renderWithClient(<UserProfile />, { client });
    const item = region().querySelector(".lk-userProfile-accountItem") as HTMLElement;
    await press(within(item).getByRole("button", { name: "Disconnect" }));
    client.failNext("me.disconnectExternalAccount", "form_identifier_last_one");
    await act(async () => fireEvent.submit(item.querySelector(".lk-userProfile-confirm") as HTMLFormElement));
    expect(within(item).getByRole("alert").textContent).toBe(en.errors.form_identifier_last_one);
    expect(within(region()).getByText("ada@gmail.example")).toBeTruthy();
  });

  it("shows the error a connect round trip came back with, and cleans the address bar", async () => {
    window.history.replaceState(null, "", "/account?lk_error=external_account_exists");
    renderWithClient(<UserProfile />, { client: withAccounts() });
    await act(async () => undefined);
    expect(within(region()).getByRole("alert").textContent).toBe(en.errors.external_account_exists);
    expect(location.search).toBe("");
  });

  it("speaks French", () => {
    renderWithClient(<UserProfile localization={fr} />, { client: withAccounts() });
    const fr_region = screen.getByRole("region", { name: "Comptes associés" });
    expect(within(fr_region).getByRole("button", { name: "Dissocier" })).toBeTruthy();
    expect(within(fr_region).getByRole("button", { name: "Associer GitHub" })).toBeTruthy();
  });
});
