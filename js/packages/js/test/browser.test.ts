// @vitest-environment happy-dom
// What only a page has: focus and visibility events, the __lk_uat cookie,
// and the URL a mailed link leads back to.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Latchkey, type LatchkeyOptions } from "../src/index";
import { FakeApi, client, envelope, environment, signIn, signedIn, tokenFor, until } from "./fake_api";

const TOKENS = "POST /client/sessions/sess_1/tokens";

const made: Latchkey[] = [];
afterEach(() => {
  for (const lk of made.splice(0)) lk.destroy();
  vi.useRealTimers();
  document.cookie = "__lk_uat=; max-age=0";
  history.replaceState(null, "", "/");
});

function setup(options: LatchkeyOptions = {}) {
  const api = new FakeApi();
  const c = signedIn();
  api
    .on("GET /environment", { body: environment() })
    .on("GET /client", envelope(c, c))
    .on(TOKENS, () => ({ body: { object: "token", jwt: tokenFor("sess_1", api.serverNow()) } }));
  const lk = new Latchkey({ fetch: api.fetch, crossTab: false, ...options });
  made.push(lk);
  return { api, lk };
}

describe("focus and visibility", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: Date.UTC(2026, 0, 1, 12, 0, 0), toFake: ["setTimeout", "clearTimeout", "Date"] });
  });

  it("refreshes a stale token when the tab regains focus, not a fresh one", async () => {
    const { api, lk } = setup();
    await lk.load();
    await lk.getToken();
    window.dispatchEvent(new Event("focus"));
    await vi.advanceTimersByTimeAsync(0);
    expect(api.count(TOKENS)).toBe(1);
    // A sleeping tab: the clock moved on, its timers did not run.
    vi.setSystemTime(Date.now() + 50_000);
    window.dispatchEvent(new Event("focus"));
    await vi.advanceTimersByTimeAsync(0);
    expect(api.count(TOKENS)).toBe(2);
    vi.setSystemTime(Date.now() + 50_000);
    document.dispatchEvent(new Event("visibilitychange"));
    await vi.advanceTimersByTimeAsync(0);
    expect(api.count(TOKENS)).toBe(3);
  });

  it("does nothing on focus once destroyed", async () => {
    const { api, lk } = setup();
    await lk.load();
    await lk.getToken();
    lk.destroy();
    vi.setSystemTime(Date.now() + 50_000);
    window.dispatchEvent(new Event("focus"));
    await vi.advanceTimersByTimeAsync(0);
    expect(api.count(TOKENS)).toBe(1);
  });

  it("re-reads the client on focus when __lk_uat changed (signed out in another tab)", async () => {
    document.cookie = "__lk_uat=1767268800";
    const { api, lk } = setup();
    await lk.load();
    const reads = api.count("GET /client");
    window.dispatchEvent(new Event("focus"));
    await vi.advanceTimersByTimeAsync(0);
    expect(api.count("GET /client")).toBe(reads);
    document.cookie = "__lk_uat=0";
    api.on("GET /client", envelope(client(), client()));
    window.dispatchEvent(new Event("focus"));
    await vi.advanceTimersByTimeAsync(0);
    expect(api.count("GET /client")).toBe(reads + 1);
    expect(lk.getState().isSignedIn).toBe(false);
  });
});

describe("returning from a mailed link", () => {
  it("resumes at new_password after a reset link opened in this browser (lk_status=verified)", async () => {
    history.replaceState(null, "", "/sign-in?lk_status=verified");
    const si = signIn({ status: "needs_new_password", first_factor_verification: { status: "verified", strategy: "reset_password_email_link", attempts: null, expire_at: null } });
    const c = client({ sign_in: si });
    const api = new FakeApi().on("GET /environment", { body: environment() }).on("GET /client", envelope(c, c));
    const lk = new Latchkey({ fetch: api.fetch, crossTab: false, initialState: { userId: null, sessionId: null, user: null } });
    made.push(lk);
    const flow = lk.signInFlow();
    expect(flow.getState().step).toBe("identifier");
    await until(() => flow.getState().step === "new_password", "new_password step");
    expect(flow.signIn?.id).toBe("sia_1");
    expect(flow.getState().values.identifier).toBe("ada@example.com");
  });

  it("completes after a magic link opened in this browser signed it in", async () => {
    history.replaceState(null, "", "/sign-in?lk_status=verified");
    const c = signedIn();
    const api = new FakeApi().on("GET /environment", { body: environment() }).on("GET /client", envelope(c, c));
    const lk = new Latchkey({ fetch: api.fetch, crossTab: false });
    made.push(lk);
    const flow = lk.signInFlow();
    await until(() => flow.getState().step === "complete", "complete step");
    expect(flow.getState().createdSessionId).toBe("sess_1");
  });

  it("sends this page, without link parameters, as the link's redirect_url", async () => {
    history.replaceState(null, "", "/sign-in?next=%2Fdashboard&lk_status=verified_switch_tab#top");
    const c = client();
    const api = new FakeApi()
      .on("GET /environment", { body: environment() })
      .on("GET /client", envelope(c, c))
      .on("POST /client/sign_ins", envelope(signIn({ supported_first_factors: [{ strategy: "email_link", safe_identifier: "a***@example.com" }] }), c))
      .on("POST /client/sign_ins/:id/prepare_first_factor", envelope(signIn(), c));
    const lk = new Latchkey({ fetch: api.fetch, crossTab: false });
    made.push(lk);
    await lk.load();
    const flow = lk.signInFlow();
    flow.setField("identifier", "ada@example.com");
    await flow.submitIdentifier();
    expect(flow.getState().step).toBe("email_link");
    const prepare = api.calls.find((x) => x.path.endsWith("/prepare_first_factor"));
    expect(prepare?.body).toEqual({ strategy: "email_link", redirect_url: `${location.origin}/sign-in?next=%2Fdashboard` });
  });
});

describe("a client that is made and never loaded", () => {
  it("opens no channel and adds no listeners (React's development double render drops one)", async () => {
    const Original = globalThis.BroadcastChannel;
    let opened = 0;
    globalThis.BroadcastChannel = class extends Original {
      constructor(name: string) {
        super(name);
        opened++;
      }
    };
    const listen = vi.spyOn(window, "addEventListener");
    try {
      const { lk } = setup({ crossTab: true });
      expect(opened).toBe(0);
      expect(listen.mock.calls.filter(([type]) => type === "focus")).toHaveLength(0);
      await lk.load();
      expect(opened).toBe(1);
      expect(listen.mock.calls.filter(([type]) => type === "focus")).toHaveLength(1);
    } finally {
      globalThis.BroadcastChannel = Original;
      listen.mockRestore();
    }
  });
});
