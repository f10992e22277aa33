// @vitest-environment happy-dom
// Social sign-in: the redirect to the provider, the way back (lk_status,
// lk_error), transfers between sign-in and sign-up, and connected accounts.

import { afterEach, describe, expect, it } from "vitest";
import { Latchkey, type Client, type Environment, type ExternalAccount } from "../src/index";
import { FakeApi, apiError, client, envelope, environment, signIn, signUp, signedIn, tokenFor, until, user } from "./fake_api";

const made: Latchkey[] = [];
afterEach(() => {
  for (const lk of made.splice(0)) lk.destroy();
  history.replaceState(null, "", "/");
});

const GOOGLE = "https://accounts.google.test/o/oauth2/auth?state=s";
const social: Environment["social"] = [
  { provider: "google", strategy: "oauth_google", name: "Google" },
  { provider: "github", strategy: "oauth_github", name: "GitHub" },
];
const oauth = (strategy: string, status: "unverified" | "verified" | "transferable" = "unverified") => ({
  status,
  strategy,
  attempts: null,
  expire_at: 9e15,
  external_verification_redirect_url: status === "unverified" ? GOOGLE : null,
});

function setup(start: Client = client()) {
  const api = new FakeApi()
    .on("GET /environment", { body: environment({ social }) })
    .on("GET /client", envelope(start, start))
    .on("POST /client/sessions/sess_1/tokens", () => ({ body: { object: "token", jwt: tokenFor("sess_1", api.serverNow()) } }));
  const navigated: string[] = [];
  const lk = new Latchkey({ fetch: api.fetch, crossTab: false, backgroundRefresh: false, navigate: (url) => navigated.push(url) });
  made.push(lk);
  return { api, lk, navigated };
}

describe("environment", () => {
  it("reads social providers in order, and an older server's environment without them", async () => {
    const { lk } = setup();
    await lk.load();
    expect(lk.getState().environment?.social?.map((p) => p.strategy)).toEqual(["oauth_google", "oauth_github"]);
    const old = environment();
    expect(old.social ?? []).toEqual([]);
  });
});

describe("sign-in with a provider", () => {
  it("creates the sign-in with the strategy and this page, then goes to the provider", async () => {
    history.replaceState(null, "", "/sign-in?next=%2Fapp");
    const { api, lk, navigated } = setup();
    api.on("POST /client/sign_ins", envelope(signIn({ status: "needs_first_factor", identifier: null, first_factor_verification: oauth("oauth_google") }), client()));
    const flow = lk.signInFlow();
    await flow.authenticateWithRedirect("oauth_google");
    expect(api.calls.find((c) => c.method === "POST" && c.path === "/client/sign_ins")?.body).toEqual({
      strategy: "oauth_google",
      redirect_url: `${location.origin}/sign-in?next=%2Fapp`,
    });
    expect(navigated).toEqual([GOOGLE]);
    expect(flow.getState().errors.global).toEqual([]);
  });

  it("shows a server error and does not navigate", async () => {
    const { api, lk, navigated } = setup();
    api.on("POST /client/sign_ins", apiError(422, "strategy_not_allowed"));
    const flow = lk.signInFlow();
    await flow.authenticateWithRedirect("oauth_google");
    expect(navigated).toEqual([]);
    expect(flow.getState().errors.global[0]?.code).toBe("strategy_not_allowed");
  });

  it("refuses a strategy that is not oauth_*", async () => {
    const { api, lk } = setup();
    const flow = lk.signInFlow();
    await flow.authenticateWithRedirect("password" as never);
    expect(api.count("POST /client/sign_ins")).toBe(0);
    expect(flow.getState().errors.fields.strategy ?? flow.getState().errors.global[0]).toMatchObject({ code: "strategy_not_allowed" });
  });

  it("completes on return with lk_status=verified, and cleans the address bar", async () => {
    history.replaceState(null, "", "/sign-in?lk_status=verified&next=1");
    const { lk } = setup(signedIn());
    const flow = lk.signInFlow();
    await until(() => flow.getState().step === "complete", "complete");
    expect(flow.getState().createdSessionId).toBe("sess_1");
    expect(location.search).toBe("?next=1");
  });

  it("starts at the first step with the error of lk_error, even for a second flow of the same page", async () => {
    history.replaceState(null, "", "/sign-in?lk_error=oauth_access_denied");
    const { lk } = setup();
    const flow = lk.signInFlow();
    expect(location.search).toBe("");
    await until(() => flow.getState().errors.global.length > 0, "error");
    expect(flow.getState().step).toBe("identifier");
    expect(flow.getState().errors.global[0]?.code).toBe("oauth_access_denied");
    // React's development double render makes the flow twice.
    const again = lk.signInFlow();
    await until(() => again.getState().errors.global.length > 0, "error again");
    expect(again.getState().errors.global[0]?.code).toBe("oauth_access_denied");
  });

  it("marks a sign-in whose identity has no account as transferable; a sign-up flow transfers it", async () => {
    history.replaceState(null, "", "/sign-in?lk_status=transferable");
    const si = signIn({ status: "needs_identifier", identifier: null, first_factor_verification: oauth("oauth_google", "transferable") });
    const c = client({ sign_in: si });
    const { api, lk } = setup(c);
    const flow = lk.signInFlow();
    await until(() => flow.getState().transferable, "transferable");
    expect(flow.getState().step).toBe("identifier");

    // The sign-up needs a username the provider did not give.
    api.on("POST /client/sign_ups", envelope(signUp({ status: "missing_requirements", unverified_fields: [], missing_fields: ["username"], required_fields: ["email_address", "username"], optional_fields: [] }), c));
    const up = lk.signUpFlow({ transfer: true });
    await until(() => up.getState().step === "continue", "continue");
    expect(api.calls.find((x) => x.method === "POST" && x.path === "/client/sign_ups")?.body).toEqual({ transfer: true });
    expect(up.getState().fields).toEqual([{ name: "username", required: true }]);
  });

  it("two flows made for the same page transfer once (React's development double render)", async () => {
    const { api, lk } = setup();
    api.on("POST /client/sign_ups", { ...envelope(signUp({ status: "complete", created_session_id: "sess_1" }), signedIn()), delayMs: 20 }).on("GET /client", envelope(signedIn(), signedIn()));
    const a = lk.signUpFlow({ transfer: true });
    const b = lk.signUpFlow({ transfer: true });
    await until(() => a.getState().step === "complete" && b.getState().step === "complete", "both complete");
    expect(api.count("POST /client/sign_ups")).toBe(1);
  });

  it("shows an lk_error only after the first render (which must match the server's)", async () => {
    history.replaceState(null, "", "/sign-in?lk_error=oauth_email_unverified");
    const { lk } = setup();
    await lk.load();
    const flow = lk.signInFlow();
    expect(flow.getState().errors.global).toEqual([]);
    await until(() => flow.getState().errors.global.length === 1, "error");
    expect(flow.getState().errors.global[0]?.message).toContain("Sign in to it first");
  });

  it("a transferred sign-up that needs nothing completes", async () => {
    const { api, lk } = setup();
    api.on("POST /client/sign_ups", envelope(signUp({ status: "complete", created_session_id: "sess_1" }), signedIn())).on("GET /client", envelope(signedIn(), signedIn()));
    const up = lk.signUpFlow({ transfer: true });
    await until(() => up.getState().step === "complete", "complete");
    expect(up.getState().createdSessionId).toBe("sess_1");
  });

  it("a sign-in left unfinished at the provider resumes at the first step", async () => {
    const si = signIn({ identifier: null, first_factor_verification: oauth("oauth_google") });
    const { lk } = setup(client({ sign_in: si }));
    await lk.load();
    const flow = lk.signInFlow();
    expect(flow.getState()).toMatchObject({ step: "identifier", transferable: false });
  });
});

describe("sign-up with a provider", () => {
  it("creates the sign-up with the strategy (and consent given) and goes to the provider", async () => {
    history.replaceState(null, "", "/sign-up");
    const { api, lk, navigated } = setup();
    api.on("POST /client/sign_ups", envelope(signUp({ verifications: { email_address: null, external_account: oauth("oauth_github") } }), client()));
    await lk.load();
    const flow = lk.signUpFlow();
    flow.setField("legal_accepted", true);
    await flow.authenticateWithRedirect("oauth_github");
    expect(api.calls.find((c) => c.method === "POST" && c.path === "/client/sign_ups")?.body).toEqual({
      strategy: "oauth_github",
      redirect_url: `${location.origin}/sign-up`,
      legal_accepted: true,
    });
    expect(navigated).toEqual([GOOGLE]);
  });

  it("goes on to the missing fields on return with lk_status=verified", async () => {
    history.replaceState(null, "", "/sign-up?lk_status=verified");
    const su = signUp({ unverified_fields: [], missing_fields: ["username"], verifications: { email_address: null, external_account: oauth("oauth_github", "verified") } });
    const { lk } = setup(client({ sign_up: su }));
    const flow = lk.signUpFlow();
    await until(() => flow.getState().step === "continue", "continue");
  });

  it("marks an identity that has an account as transferable; a sign-in flow transfers it", async () => {
    history.replaceState(null, "", "/sign-up?lk_status=transferable");
    const su = signUp({ verifications: { email_address: null, external_account: oauth("oauth_github", "transferable") } });
    const { api, lk } = setup(client({ sign_up: su }));
    const flow = lk.signUpFlow();
    await until(() => flow.getState().transferable, "transferable");
    expect(flow.getState().step).toBe("start");

    api.on("POST /client/sign_ins", envelope(signIn({ status: "complete", created_session_id: "sess_1" }), signedIn())).on("GET /client", envelope(signedIn(), signedIn()));
    const inFlow = lk.signInFlow({ transfer: true });
    await until(() => inFlow.getState().step === "complete", "complete");
    expect(api.calls.find((x) => x.method === "POST" && x.path === "/client/sign_ins")?.body).toEqual({ transfer: true });
  });
});

describe("connected accounts", () => {
  const account = (over: Partial<ExternalAccount> = {}): ExternalAccount => ({
    object: "external_account",
    id: "eac_1",
    provider: "github",
    provider_user_id: "42",
    email_address: "ada@example.com",
    first_name: null,
    last_name: null,
    username: null,
    avatar_url: null,
    verification: { ...oauth("oauth_github"), external_verification_redirect_url: GOOGLE },
    created_at: 1,
    updated_at: 1,
    ...over,
  });

  it("connects: posts the strategy and redirect URL, then goes to the provider", async () => {
    const c = signedIn();
    const { api, lk, navigated } = setup(c);
    api.on("POST /me/external_accounts", envelope(account(), c));
    const got = await lk.me.connectExternalAccount("oauth_github", "https://app.test/profile");
    expect(got.id).toBe("eac_1");
    expect(api.calls.find((x) => x.path === "/me/external_accounts")?.body).toEqual({ strategy: "oauth_github", redirect_url: "https://app.test/profile" });
    expect(navigated).toEqual([GOOGLE]);
  });

  it("passes on a refusal to connect without a recent sign-in", async () => {
    const c = signedIn();
    const { api, lk, navigated } = setup(c);
    api.on("POST /me/external_accounts", apiError(403, "forbidden"));
    await expect(lk.me.connectExternalAccount("oauth_github", "https://app.test/profile")).rejects.toMatchObject({ code: "forbidden", status: 403 });
    expect(navigated).toEqual([]);
  });

  it("disconnects, and passes on the last-one refusal", async () => {
    const c = signedIn();
    const { api, lk } = setup(c);
    api.on("DELETE /me/external_accounts/:id", envelope({ object: "external_account", id: "eac_1", deleted: true }, c));
    await lk.me.disconnectExternalAccount("eac_1");
    expect(api.count("DELETE /me/external_accounts/eac_1")).toBe(1);
    api.on("DELETE /me/external_accounts/:id", apiError(422, "form_identifier_last_one"));
    await expect(lk.me.disconnectExternalAccount("eac_1")).rejects.toMatchObject({ code: "form_identifier_last_one" });
  });

  it("types a user's external accounts", () => {
    const u = user({ external_accounts: [account({ verification: { ...oauth("oauth_github", "verified") } })] });
    expect(u.external_accounts[0]?.provider).toBe("github");
  });
});
