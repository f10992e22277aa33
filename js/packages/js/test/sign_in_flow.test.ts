import { afterEach, describe, expect, it, vi } from "vitest";
import { Latchkey, type Client, type Environment, type SignIn, type SignInFlow } from "../src/index";
import { FakeApi, apiError, client, envelope, environment, signIn, signedIn, tokenFor } from "./fake_api";

const made: Latchkey[] = [];
afterEach(() => {
  for (const lk of made.splice(0)) lk.destroy();
  vi.useRealTimers();
});

const SIGN_INS = "POST /client/sign_ins";
const PREPARE = "POST /client/sign_ins/sia_1/prepare_first_factor";
const ATTEMPT = "POST /client/sign_ins/sia_1/attempt_first_factor";
const RESET = "POST /client/sign_ins/sia_1/reset_password";
const GET = "GET /client/sign_ins/sia_1";

const unverified = (strategy: string) => ({ status: "unverified" as const, strategy, attempts: 0, expire_at: 9e15 });

/** A signed-out browser; completing a sign-in signs it in. */
async function setup(opts: { env?: Environment; start?: Client } = {}) {
  const api = new FakeApi();
  const out = opts.start ?? client();
  const done = signedIn();
  api
    .on("GET /environment", { body: opts.env ?? environment() })
    .on("GET /client", envelope(out, out))
    .on("POST /client/sessions/sess_1/tokens", () => ({ body: { object: "token", jwt: tokenFor("sess_1", api.serverNow()) } }))
    .on(SIGN_INS, envelope(signIn(), out))
    .on(PREPARE, (call) => envelope(signIn({ first_factor_verification: unverified((call.body as { strategy: string }).strategy) }), out));
  const lk = new Latchkey({ fetch: api.fetch, crossTab: false, backgroundRefresh: false });
  made.push(lk);
  await lk.load();
  const flow = lk.signInFlow({ redirectUrl: "http://localhost:3000/sign-in" });
  /** complete makes the next answer to route a completed sign-in (and the client signed in). */
  const complete = (route: string) => {
    const si = signIn({ status: "complete", created_session_id: "sess_1" });
    api.on(route, envelope(si, done)).on("GET /client", envelope(done, done));
  };
  return { api, lk, flow, complete };
}

async function toPassword(flow: SignInFlow) {
  flow.setField("identifier", "ada@example.com");
  await flow.submitIdentifier();
  expect(flow.getState().step).toBe("password");
}

describe("sign-in flow", () => {
  it("goes from identifier to password and completes with the right password", async () => {
    const { api, lk, flow, complete } = await setup();
    await toPassword(flow);
    expect(api.calls.find((c) => c.method === "POST" && c.path === "/client/sign_ins")?.body).toEqual({ identifier: "ada@example.com" });
    expect(flow.getState()).toMatchObject({
      strategies: ["email_code", "email_link"],
      resetStrategies: ["reset_password_email_code", "reset_password_email_link"],
      safeIdentifier: "a***@example.com",
    });
    expect(flow.signIn?.id).toBe("sia_1");

    flow.setField("password", "correct horse battery staple");
    complete(ATTEMPT);
    await flow.submitPassword();
    expect(api.calls.at(-3)?.body).toEqual({ strategy: "password", password: "correct horse battery staple" });
    expect(flow.getState()).toMatchObject({ step: "complete", createdSessionId: "sess_1", busy: false });
    expect(flow.getState().values.password).toBe("");
    // Completion re-reads the client and mints the new session's first token.
    expect(api.calls.slice(-2).map((c) => `${c.method} ${c.path}`)).toEqual(["GET /client", "POST /client/sessions/sess_1/tokens"]);
    expect(lk.getState()).toMatchObject({ isSignedIn: true, sessionId: "sess_1" });
  });

  it("checks empty fields itself, without a request", async () => {
    const { api, flow } = await setup();
    const before = api.calls.length;
    await flow.submitIdentifier();
    expect(flow.getState().errors.fields.identifier).toMatchObject({ code: "form_identifier_required", status: 0 });
    await toPassword(flow);
    await flow.submitPassword();
    expect(flow.getState().errors.fields.password?.code).toBe("form_param_missing");
    expect(api.calls.length).toBe(before + 1);
  });

  it("files server errors under their field, or global", async () => {
    const { api, flow } = await setup();
    flow.setField("identifier", "+15551234567");
    api.on(SIGN_INS, apiError(422, "form_identifier_not_allowed", "identifier"));
    await flow.submitIdentifier();
    expect(flow.getState()).toMatchObject({ step: "identifier", busy: false });
    expect(flow.getState().errors.fields.identifier?.code).toBe("form_identifier_not_allowed");
    // Typing clears the field's error.
    flow.setField("identifier", "ada@example.com");
    expect(flow.getState().errors.fields.identifier).toBeUndefined();

    api.on(SIGN_INS, apiError(422, "session_exists"));
    await flow.submitIdentifier();
    expect(flow.getState().errors.global.map((e) => e.code)).toEqual(["session_exists"]);
    expect(flow.getState().errors.fields).toEqual({});
  });

  it("shows a wrong password on the password field and stays", async () => {
    const { api, flow } = await setup();
    await toPassword(flow);
    api.on(ATTEMPT, apiError(422, "form_password_incorrect", "password"));
    flow.setField("password", "wrong");
    await flow.submitPassword();
    expect(flow.getState().step).toBe("password");
    expect(flow.getState().errors.fields.password?.code).toBe("form_password_incorrect");
  });

  it("shows a rate limit with its retryAfter", async () => {
    const { api, flow } = await setup();
    api.on(SIGN_INS, apiError(429, "rate_limit_exceeded", undefined, { "Retry-After": "30" }));
    flow.setField("identifier", "ada@example.com");
    await flow.submitIdentifier();
    expect(flow.getState().errors.global[0]).toMatchObject({ code: "rate_limit_exceeded", retryAfter: 30, status: 429 });
  });

  it("ignores a second submit while the first is in flight", async () => {
    const { api, flow } = await setup();
    api.on(SIGN_INS, { ...envelope(signIn(), client()), delayMs: 20 });
    flow.setField("identifier", "ada@example.com");
    const first = flow.submitIdentifier();
    expect(flow.getState().busy).toBe(true);
    await flow.submitIdentifier();
    await first;
    expect(api.count(SIGN_INS)).toBe(1);
    expect(flow.getState().busy).toBe(false);
  });

  it("signs in in one step when the form has identifier and password", async () => {
    const { api, flow, complete } = await setup();
    complete(SIGN_INS);
    flow.setField("identifier", " ada@example.com ");
    flow.setField("password", "correct horse battery staple");
    await flow.submitIdentifier();
    expect(api.calls.find((c) => c.path === "/client/sign_ins")?.body).toEqual({ identifier: "ada@example.com", password: "correct horse battery staple" });
    expect(flow.getState().step).toBe("complete");
  });

  it("sends the first email factor at once when there is no password", async () => {
    const env = environment({ password: { enabled: false, required: false, min_length: 8, max_length: 1024, policy: "default" } });
    const { api, flow } = await setup({ env });
    api.on(SIGN_INS, envelope(signIn({ supported_first_factors: [{ strategy: "email_code", safe_identifier: "a***@example.com" }, { strategy: "email_link" }] }), client()));
    flow.setField("identifier", "ada@example.com");
    await flow.submitIdentifier();
    expect(flow.getState().step).toBe("email_code");
    expect(api.calls.find((c) => c.path.endsWith("/prepare_first_factor"))?.body).toEqual({ strategy: "email_code" });
  });

  it("says when no first factor is offered", async () => {
    const { api, flow } = await setup();
    api.on(SIGN_INS, envelope(signIn({ supported_first_factors: [] }), client()));
    flow.setField("identifier", "ada@example.com");
    await flow.submitIdentifier();
    expect(flow.getState().errors.fields.identifier?.code).toBe("strategy_not_allowed");
  });

  it("uses another method: an email code, wrong then right", async () => {
    const { api, flow, complete } = await setup();
    await toPassword(flow);
    flow.showStrategies();
    expect(flow.getState().step).toBe("choose_strategy");
    await flow.chooseStrategy("email_code");
    expect(flow.getState().step).toBe("email_code");
    expect(api.calls.at(-1)?.body).toEqual({ strategy: "email_code" });

    await flow.submitCode();
    expect(flow.getState().errors.fields.code?.code).toBe("form_param_missing");
    api.on(ATTEMPT, apiError(422, "form_code_incorrect", "code"));
    flow.setField("code", "000000");
    await flow.submitCode();
    expect(flow.getState().errors.fields.code?.code).toBe("form_code_incorrect");
    api.on(ATTEMPT, apiError(422, "verification_failed", "code"));
    await flow.submitCode();
    expect(flow.getState().errors.fields.code?.code).toBe("verification_failed");

    await flow.resend();
    expect(api.count(PREPARE)).toBe(2);
    expect(flow.getState()).toMatchObject({ step: "email_code", values: { code: "" } });

    complete(ATTEMPT);
    flow.setField("code", "123456");
    await flow.submitCode();
    expect(api.calls.find((c) => c.path.endsWith("/attempt_first_factor") && (c.body as { code?: string }).code === "123456")?.body).toEqual({
      strategy: "email_code",
      code: "123456",
    });
    expect(flow.getState().step).toBe("complete");
  });

  it("goes back step by step, and to a fresh start at the identifier", async () => {
    const { flow } = await setup();
    await toPassword(flow);
    flow.setField("password", "typed");
    flow.showStrategies();
    flow.back();
    expect(flow.getState().step).toBe("password");
    flow.back();
    expect(flow.getState().step).toBe("identifier");
    expect(flow.signIn).toBeNull();
    expect(flow.getState().values).toMatchObject({ identifier: "ada@example.com", password: "" });
    flow.back();
    expect(flow.getState().step).toBe("identifier");
  });

  it("resets to the initial state", async () => {
    const { flow } = await setup();
    await toPassword(flow);
    flow.reset();
    expect(flow.getState()).toMatchObject({ step: "identifier", values: { identifier: "" }, strategies: [] });
    expect(flow.signIn).toBeNull();
  });

  it("resets the password with a code", async () => {
    const { api, flow, complete } = await setup();
    await toPassword(flow);
    flow.forgotPassword();
    expect(flow.getState().step).toBe("forgot_password");
    await flow.chooseStrategy("reset_password_email_code");
    expect(flow.getState().step).toBe("reset_code");
    api.on(ATTEMPT, envelope(signIn({ status: "needs_new_password" }), client()));
    flow.setField("code", "123456");
    await flow.submitCode();
    expect(api.calls.at(-1)?.body).toEqual({ strategy: "reset_password_email_code", code: "123456" });
    expect(flow.getState().step).toBe("new_password");

    await flow.submitNewPassword();
    expect(flow.getState().errors.fields.new_password?.code).toBe("form_param_missing");
    api.on(RESET, apiError(422, "form_password_pwned", "password"));
    flow.setField("new_password", "password123");
    await flow.submitNewPassword();
    expect(flow.getState().errors.fields.new_password?.code).toBe("form_password_pwned");

    complete(RESET);
    flow.setField("new_password", "a much better passphrase");
    flow.setField("sign_out_of_other_sessions", false);
    await flow.submitNewPassword();
    expect(api.calls.find((c) => c.path.endsWith("/reset_password") && (c.body as { password: string }).password !== "password123")?.body).toEqual({
      password: "a much better passphrase",
      sign_out_of_other_sessions: false,
    });
    expect(flow.getState().step).toBe("complete");
    // The reset is done: back does not return to a used code.
    flow.back();
    expect(flow.getState().step).toBe("complete");
  });

  it("resumes the client's sign-in in progress at once", async () => {
    const start = client({ sign_in: signIn({ first_factor_verification: unverified("email_code") }) });
    const { lk } = await setup({ start });
    const flow = lk.signInFlow();
    expect(flow.getState()).toMatchObject({ step: "email_code", values: { identifier: "ada@example.com" } });
    flow.back();
    expect(flow.getState().step).toBe("identifier");
  });

  it("does not resume an expired sign-in", async () => {
    const start = client({ sign_in: signIn({ expire_at: Date.now() - 1000, first_factor_verification: unverified("email_code") }) });
    const { lk } = await setup({ start });
    expect(lk.signInFlow().getState().step).toBe("identifier");
  });

  it("reports an answer it cannot use as unexpected_error", async () => {
    const { api, flow } = await setup();
    api.on(SIGN_INS, envelope({ object: "sign_in" } as unknown as SignIn, client()));
    flow.setField("identifier", "ada@example.com");
    await flow.submitIdentifier();
    expect(flow.getState().errors.global[0]?.code).toBe("unexpected_error");
  });
});

describe("sign-in flow, mailed links", () => {
  async function linkSent() {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const s = await setup();
    await toPassword(s.flow);
    await s.flow.chooseStrategy("email_link");
    expect(s.flow.getState().step).toBe("email_link");
    expect(s.api.calls.at(-1)?.body).toEqual({ strategy: "email_link", redirect_url: "http://localhost:3000/sign-in" });
    s.api.on(GET, envelope(signIn({ first_factor_verification: unverified("email_link") }), client()));
    return s;
  }

  it("polls while subscribed until the link completes the sign-in elsewhere", async () => {
    const { api, flow, complete } = await linkSent();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(api.count(GET)).toBe(0); // nobody is watching: no polling
    const off = flow.subscribe(() => {});
    await vi.advanceTimersByTimeAsync(2_500);
    expect(api.count(GET)).toBe(1);
    await vi.advanceTimersByTimeAsync(2_500);
    expect(api.count(GET)).toBe(2);
    complete(GET);
    await vi.advanceTimersByTimeAsync(2_500);
    expect(flow.getState()).toMatchObject({ step: "complete", createdSessionId: "sess_1" });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(api.count(GET)).toBe(3);
    expect(vi.getTimerCount()).toBe(0);
    off();
  });

  it("stops polling on unsubscribe, back, and destroy", async () => {
    const { api, flow, lk } = await linkSent();
    const off = flow.subscribe(() => {});
    await vi.advanceTimersByTimeAsync(2_500);
    off();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(api.count(GET)).toBe(1);

    flow.subscribe(() => {});
    flow.back();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(api.count(GET)).toBe(1);

    await flow.chooseStrategy("email_link");
    await vi.advanceTimersByTimeAsync(2_500);
    expect(api.count(GET)).toBe(2);
    lk.destroy(); // stops the flows it made
    await vi.advanceTimersByTimeAsync(10_000);
    expect(api.count(GET)).toBe(2);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("keeps polling through a network error, stops on an expired link", async () => {
    const { api, flow } = await linkSent();
    flow.subscribe(() => {});
    // A handler that throws makes the fake fetch reject: a network failure.
    let fail = true;
    api.on(GET, () => {
      if (fail) throw new TypeError("offline");
      return envelope(signIn({ first_factor_verification: { ...unverified("email_link"), status: "expired" } }), client());
    });
    await vi.advanceTimersByTimeAsync(2_500);
    fail = false;
    await vi.advanceTimersByTimeAsync(2_500);
    expect(flow.getState().errors.global[0]?.code).toBe("verification_expired");
    const polls = api.count(GET);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(api.count(GET)).toBe(polls);
    // Sending a new link polls again.
    api.on(GET, envelope(signIn({ first_factor_verification: unverified("email_link") }), client()));
    await flow.resend();
    await vi.advanceTimersByTimeAsync(2_500);
    expect(api.count(GET)).toBe(polls + 1);
  });

  it("moves to new_password when a reset link is opened", async () => {
    const { api, flow } = await linkSent();
    flow.back();
    flow.forgotPassword();
    await flow.chooseStrategy("reset_password_email_link");
    expect(flow.getState().step).toBe("reset_link");
    flow.subscribe(() => {});
    api.on(GET, envelope(signIn({ status: "needs_new_password" }), client()));
    await vi.advanceTimersByTimeAsync(2_500);
    expect(flow.getState().step).toBe("new_password");
  });
});
