import { afterEach, describe, expect, it, vi } from "vitest";
import { Latchkey, type Client, type Environment, type SignUp } from "../src/index";
import { FakeApi, apiError, client, envelope, environment, signUp, signedIn, tokenFor, until } from "./fake_api";

const made: Latchkey[] = [];
afterEach(() => {
  for (const lk of made.splice(0)) lk.destroy();
  vi.useRealTimers();
});

const CREATE = "POST /client/sign_ups";
const UPDATE = "PATCH /client/sign_ups/sua_1";
const PREPARE = "POST /client/sign_ups/sua_1/prepare_verification";
const ATTEMPT = "POST /client/sign_ups/sua_1/attempt_verification";
const GET = "GET /client/sign_ups/sua_1";

const pending = (strategy: string): SignUp["verifications"] => ({
  email_address: { status: "unverified", strategy, attempts: 0, expire_at: 9e15, verified_at: null },
});

async function setup(opts: { env?: Environment; start?: Client; load?: boolean } = {}) {
  const api = new FakeApi();
  const out = opts.start ?? client();
  const done = signedIn();
  api
    .on("GET /environment", { body: opts.env ?? environment() })
    .on("GET /client", envelope(out, out))
    .on("POST /client/sessions/sess_1/tokens", () => ({ body: { object: "token", jwt: tokenFor("sess_1", api.serverNow()) } }))
    .on(CREATE, envelope(signUp(), out))
    .on(UPDATE, envelope(signUp(), out))
    .on(PREPARE, (call) => envelope(signUp({ verifications: pending((call.body as { strategy: string }).strategy) }), out));
  const lk = new Latchkey({ fetch: api.fetch, crossTab: false, backgroundRefresh: false });
  made.push(lk);
  if (opts.load !== false) await lk.load();
  const flow = lk.signUpFlow({ redirectUrl: "http://localhost:3000/sign-up" });
  const complete = (route: string) => {
    api
      .on(route, envelope(signUp({ status: "complete", unverified_fields: [], created_user_id: "user_1", created_session_id: "sess_1" }), done))
      .on("GET /client", envelope(done, done));
  };
  return { api, lk, flow, complete };
}

function fill(flow: Awaited<ReturnType<typeof setup>>["flow"]) {
  flow.setField("email_address", " ada@example.com ");
  flow.setField("password", " correct horse battery staple ");
  flow.setField("first_name", "Ada");
}

describe("sign-up flow", () => {
  it("shows the instance's fields, once the environment is there", async () => {
    const { flow } = await setup({ load: false });
    expect(flow.getState().fields).toEqual([]);
    await until(() => flow.getState().fields.length > 0, "fields");
    expect(flow.getState().fields).toEqual([
      { name: "first_name", required: false },
      { name: "last_name", required: false },
      { name: "email_address", required: true },
      { name: "password", required: true },
    ]);
  });

  it("sends the instance's fields when submitted before the environment arrived", async () => {
    const { api, flow } = await setup({ load: false });
    fill(flow);
    await flow.submit();
    expect(api.calls.find((c) => c.path === "/client/sign_ups")?.body).toMatchObject({ email_address: "ada@example.com", first_name: "Ada" });
    expect(flow.getState().step).toBe("verify_email_code");
  });

  it("asks for legal consent and a username when the instance does", async () => {
    const base = environment();
    const env = environment({
      identifiers: { ...base.identifiers, username: { ...base.identifiers.username, enabled: true, required: true } },
      name: { enabled: false, required: false },
      sign_up: { ...base.sign_up, legal_consent_required: true },
    });
    const { api, flow } = await setup({ env });
    expect(flow.getState().fields.map((f) => `${f.name}${f.required ? "*" : ""}`)).toEqual(["email_address*", "username*", "password*", "legal_accepted*"]);
    fill(flow);
    flow.setField("username", "ada");
    await flow.submit();
    expect(flow.getState().errors.fields.legal_accepted?.code).toBe("form_param_missing");
    expect(api.count(CREATE)).toBe(0);
    flow.setField("legal_accepted", true);
    await flow.submit();
    expect(api.calls.find((c) => c.path === "/client/sign_ups")?.body).toEqual({
      email_address: "ada@example.com",
      username: "ada",
      password: " correct horse battery staple ",
      legal_accepted: true,
    });
  });

  it("checks required fields itself, each on its field", async () => {
    const { api, flow } = await setup();
    await flow.submit();
    expect(flow.getState().errors.fields.email_address?.code).toBe("form_param_missing");
    expect(flow.getState().errors.fields.password?.code).toBe("form_param_missing");
    expect(flow.getState().errors.fields.first_name).toBeUndefined();
    expect(api.count(CREATE)).toBe(0);
  });

  it("creates the sign-up, sends a code, and completes with the right code", async () => {
    const { api, lk, flow, complete } = await setup();
    fill(flow);
    await flow.submit();
    expect(api.calls.find((c) => c.path === "/client/sign_ups")?.body).toEqual({
      email_address: "ada@example.com",
      password: " correct horse battery staple ",
      first_name: "Ada",
    });
    expect(api.calls.find((c) => c.path.endsWith("/prepare_verification"))?.body).toEqual({ strategy: "email_code" });
    expect(flow.getState().step).toBe("verify_email_code");
    expect(flow.signUp?.id).toBe("sua_1");

    await flow.submitCode();
    expect(flow.getState().errors.fields.code?.code).toBe("form_param_missing");
    api.on(ATTEMPT, apiError(422, "form_code_incorrect", "code"));
    flow.setField("code", "000000");
    await flow.submitCode();
    expect(flow.getState().errors.fields.code?.code).toBe("form_code_incorrect");

    complete(ATTEMPT);
    flow.setField("code", "123456");
    await flow.submitCode();
    expect(api.calls.find((c) => c.path.endsWith("/attempt_verification") && (c.body as { code: string }).code === "123456")?.body).toEqual({
      strategy: "email_code",
      code: "123456",
    });
    expect(flow.getState()).toMatchObject({ step: "complete", createdSessionId: "sess_1", values: { password: "", code: "" } });
    expect(lk.getState().isSignedIn).toBe(true);
  });

  it("files server errors under their fields", async () => {
    const { api, flow } = await setup();
    fill(flow);
    api.on(CREATE, {
      status: 422,
      body: {
        errors: [
          { code: "form_identifier_exists", message: "Taken.", meta: { param_name: "email_address" } },
          { code: "form_password_pwned", message: "Breached.", meta: { param_name: "password" } },
        ],
      },
    });
    await flow.submit();
    const { fields, global } = flow.getState().errors;
    expect([fields.email_address?.code, fields.password?.code, global]).toEqual(["form_identifier_exists", "form_password_pwned", []]);
    expect(fields.password?.errors).toHaveLength(1);
    expect(flow.getState().step).toBe("start");
  });

  it("shows a closed sign-up as a global error", async () => {
    const { api, flow } = await setup();
    fill(flow);
    api.on(CREATE, apiError(403, "sign_up_restricted"));
    await flow.submit();
    expect(flow.getState().errors.global.map((e) => e.code)).toEqual(["sign_up_restricted"]);
  });

  it("updates the same sign-up after going back, without mailing a new code", async () => {
    const { api, flow } = await setup();
    fill(flow);
    await flow.submit();
    flow.back();
    expect(flow.getState().step).toBe("start");
    api.on(UPDATE, envelope(signUp({ verifications: pending("email_code") }), client()));
    flow.setField("first_name", "");
    await flow.submit();
    expect(api.count(CREATE)).toBe(1);
    expect(api.calls.find((c) => c.method === "PATCH")?.body).toEqual({
      email_address: "ada@example.com",
      password: " correct horse battery staple ",
      first_name: "",
      last_name: "",
    });
    expect(api.count(PREPARE)).toBe(1);
    expect(flow.getState().step).toBe("verify_email_code");

    // Starting over makes a new sign-up.
    flow.reset();
    expect(flow.getState()).toMatchObject({ step: "start", values: { email_address: "" } });
    fill(flow);
    await flow.submit();
    expect(api.count(CREATE)).toBe(2);
  });

  it("keeps a rate-limited send on the form with its retryAfter", async () => {
    const { api, flow } = await setup();
    fill(flow);
    api.on(PREPARE, apiError(429, "rate_limit_exceeded", undefined, { "Retry-After": "60" }));
    await flow.submit();
    expect(flow.getState().step).toBe("start");
    expect(flow.getState().errors.global[0]).toMatchObject({ code: "rate_limit_exceeded", retryAfter: 60 });
  });

  it("verifies with a link when the instance has only links", async () => {
    const base = environment();
    const { api, flow } = await setup({ env: environment({ sign_up: { ...base.sign_up, verifications: ["email_link"] } }) });
    fill(flow);
    await flow.submit();
    expect(api.calls.find((c) => c.path.endsWith("/prepare_verification"))?.body).toEqual({ strategy: "email_link", redirect_url: "http://localhost:3000/sign-up" });
    expect(flow.getState().step).toBe("verify_email_link");
  });

  it("resumes the client's sign-up at its verification", async () => {
    const start = client({ sign_up: signUp({ first_name: "Ada", verifications: pending("email_code") }) });
    const { flow } = await setup({ start });
    expect(flow.getState()).toMatchObject({ step: "verify_email_code", values: { email_address: "ada@example.com", first_name: "Ada" } });
  });
});

describe("sign-up flow, link", () => {
  it("polls for the link, then asks for the fields still missing", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const { api, flow, complete } = await setup();
    fill(flow);
    await flow.submit();
    await flow.useStrategy("email_link");
    expect(flow.getState().step).toBe("verify_email_link");
    flow.subscribe(() => {});
    api.on(GET, envelope(signUp({ verifications: pending("email_link") }), client()));
    await vi.advanceTimersByTimeAsync(2_500);
    expect(flow.getState().step).toBe("verify_email_link");
    api.on(GET, envelope(signUp({ unverified_fields: [], missing_fields: ["last_name"] }), client()));
    await vi.advanceTimersByTimeAsync(2_500);
    expect(flow.getState()).toMatchObject({ step: "continue", fields: [{ name: "last_name", required: true }] });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(api.count(GET)).toBe(2);

    await flow.submit();
    expect(flow.getState().errors.fields.last_name?.code).toBe("form_param_missing");
    complete(UPDATE);
    flow.setField("last_name", "Lovelace");
    await flow.submit();
    expect(api.calls.find((c) => c.method === "PATCH")?.body).toEqual({ last_name: "Lovelace" });
    expect(flow.getState().step).toBe("complete");
  });

  it("completes when the link is opened elsewhere, and switches back to a code", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const { api, flow, complete } = await setup();
    fill(flow);
    await flow.submit();
    await flow.useStrategy("email_link");
    await flow.useStrategy("email_code");
    expect(flow.getState().step).toBe("verify_email_code");
    flow.back();
    expect(flow.getState().step).toBe("start");
    await flow.submit();
    await flow.useStrategy("email_link");
    flow.subscribe(() => {});
    complete(GET);
    await vi.advanceTimersByTimeAsync(2_500);
    expect(flow.getState()).toMatchObject({ step: "complete", createdSessionId: "sess_1" });
  });

  it("stops polling on an expired link and shows it", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const { api, flow } = await setup();
    fill(flow);
    await flow.submit();
    await flow.useStrategy("email_link");
    flow.subscribe(() => {});
    api.on(GET, envelope(signUp({ verifications: { email_address: { status: "expired", strategy: "email_link", attempts: null, expire_at: 1 } } }), client()));
    await vi.advanceTimersByTimeAsync(2_500);
    expect(flow.getState().errors.global[0]?.code).toBe("verification_expired");
    await vi.advanceTimersByTimeAsync(10_000);
    expect(api.count(GET)).toBe(1);
  });
});
