import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Latchkey, type LatchkeyOptions } from "../src/index";
import { Clock } from "../src/clock";
import { TokenCache } from "../src/token_cache";
import { FakeApi, apiError, client, envelope, environment, jwt, session, signedIn, tokenFor, user } from "./fake_api";

const TOKENS = "POST /client/sessions/sess_1/tokens";

const made: Latchkey[] = [];
afterEach(() => {
  for (const lk of made.splice(0)) lk.destroy();
  vi.useRealTimers();
});
beforeEach(() => {
  vi.useFakeTimers({ now: Date.UTC(2026, 0, 1, 12, 0, 0) });
});

/** A signed-in browser whose server mints 60-second tokens in its own clock. */
function setup(options: LatchkeyOptions = {}, serverOffsetMs = 0) {
  const api = new FakeApi();
  api.serverOffsetMs = serverOffsetMs;
  const c = signedIn();
  api
    .on("GET /environment", { body: environment() })
    .on("GET /client", envelope(c, c))
    .on(TOKENS, () => ({ body: { object: "token", jwt: tokenFor("sess_1", api.serverNow()) }, delayMs: 5 }));
  const lk = new Latchkey({ fetch: api.fetch, crossTab: false, backgroundRefresh: false, ...options });
  made.push(lk);
  return { api, lk };
}

describe("getToken", () => {
  it("shares one request among concurrent callers", async () => {
    const { api, lk } = setup();
    await lk.load();
    const all = Promise.all([lk.getToken(), lk.getToken(), lk.getToken()]);
    await vi.advanceTimersByTimeAsync(10);
    const tokens = await all;
    expect(api.count(TOKENS)).toBe(1);
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).toMatch(/^ey/);
  });

  it("serves the cached token until 15 s before it expires", async () => {
    const { api, lk } = setup();
    await lk.load();
    const first = lk.getToken();
    await vi.advanceTimersByTimeAsync(10);
    const token = await first;
    await vi.advanceTimersByTimeAsync(44_000);
    expect(await lk.getToken()).toBe(token);
    expect(api.count(TOKENS)).toBe(1);
    await vi.advanceTimersByTimeAsync(2_000); // now 14 s before exp
    const next = lk.getToken();
    await vi.advanceTimersByTimeAsync(10);
    expect(await next).not.toBe(token);
    expect(api.count(TOKENS)).toBe(2);
  });

  it("skipCache always asks for a new token", async () => {
    const { api, lk } = setup();
    await lk.load();
    const first = lk.getToken();
    await vi.advanceTimersByTimeAsync(10);
    await first;
    const second = lk.getToken({ skipCache: true });
    await vi.advanceTimersByTimeAsync(10);
    await second;
    expect(api.count(TOKENS)).toBe(2);
  });

  it("refreshes in the background 15 s before expiry, and stops when destroyed", async () => {
    const { api, lk } = setup({ backgroundRefresh: true });
    await lk.load();
    const first = lk.getToken();
    await vi.advanceTimersByTimeAsync(10);
    await first;
    await vi.advanceTimersByTimeAsync(44_000);
    expect(api.count(TOKENS)).toBe(1);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(api.count(TOKENS)).toBe(2);
    // The new token schedules the next refresh; destroy cancels it.
    expect(vi.getTimerCount()).toBe(1);
    lk.destroy();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("with background refresh, mints the token once loaded and again when the user changes", async () => {
    const { api, lk } = setup({ backgroundRefresh: true });
    await lk.load();
    await vi.advanceTimersByTimeAsync(10);
    expect(api.count(TOKENS)).toBe(1);
    const token = await lk.getToken();
    expect(api.count(TOKENS)).toBe(1);
    // A profile edit: claims may name the user, so the token is replaced at once.
    const renamed = signedIn(session("sess_1", user({ first_name: "Augusta", updated_at: 2 })));
    api.on("PATCH /me", envelope(renamed.sessions[0]?.user, renamed));
    await lk.me.update({ first_name: "Augusta" });
    await vi.advanceTimersByTimeAsync(10);
    expect(api.count(TOKENS)).toBe(2);
    expect(await lk.getToken()).not.toBe(token);
  });

  it("returns null when signed out, without a request", async () => {
    const api = new FakeApi().on("GET /environment", { body: environment() }).on("GET /client", envelope(null, null));
    const lk = new Latchkey({ fetch: api.fetch, crossTab: false });
    made.push(lk);
    expect(await lk.getToken()).toBeNull();
    expect(api.count(TOKENS)).toBe(0);
  });

  it("treats session_not_active as signed out: re-reads the client and notifies", async () => {
    const { api, lk } = setup();
    await lk.load();
    api.on(TOKENS, apiError(401, "session_not_active"));
    api.on("GET /client", envelope(client(), client()));
    const states: boolean[] = [];
    lk.subscribe((s) => states.push(s.isSignedIn));
    const reloadsBefore = api.count("GET /client");
    expect(await lk.getToken()).toBeNull();
    expect(api.count("GET /client")).toBe(reloadsBefore + 1);
    expect(lk.getState().isSignedIn).toBe(false);
    expect(states).toEqual([false]);
  });

  it("throws other errors", async () => {
    const { api, lk } = setup();
    await lk.load();
    api.on(TOKENS, apiError(500, "internal_error"));
    await expect(lk.getToken()).rejects.toMatchObject({ code: "internal_error" });
    expect(lk.getState().isSignedIn).toBe(true);
  });

  it("starts from the server's token and claims (initialState) without a request", async () => {
    const now = Date.now();
    const token = tokenFor("sess_1", now, 60, { role: "admin" });
    const { api, lk } = setup({
      initialState: { userId: "user_1", sessionId: "sess_1", user: null, token, claims: { sid: "sess_1", role: "admin" } },
    });
    expect(lk.getState()).toMatchObject({ loaded: true, isSignedIn: true, userId: "user_1", sessionId: "sess_1" });
    expect(lk.getState().claims).toMatchObject({ role: "admin" });
    expect(await lk.getToken()).toBe(token);
    expect(api.calls).toEqual([]);
  });

  it("schedules no refresh for the server's token until loaded (a dropped client holds no timer)", async () => {
    const token = tokenFor("sess_1", Date.now());
    const { api, lk } = setup({
      backgroundRefresh: true,
      initialState: { userId: "user_1", sessionId: "sess_1", user: null, token, claims: null },
    });
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(api.calls).toEqual([]);
    await lk.load();
    await vi.advanceTimersByTimeAsync(10); // the expired token's refresh answers
    expect(api.count(TOKENS)).toBe(1);
    expect(vi.getTimerCount()).toBe(1);
  });

  it("never replaces a token with an older one (tabs race)", () => {
    const stored: string[] = [];
    const cache = new TokenCache({
      clock: new Clock(),
      fetchToken: async () => "",
      post: () => {},
      lock: null,
      timers: false,
      onDue: () => {},
      onToken: (_, claims) => stored.push(String(claims?.jti)),
    });
    const now = Date.now();
    const newer = jwt({ sid: "sess_1", iat: now / 1000 + 10, exp: now / 1000 + 70, jti: "newer" });
    const older = jwt({ sid: "sess_1", iat: now / 1000, exp: now / 1000 + 60, jti: "older" });
    cache.receive({ type: "token", sessionId: "sess_1", jwt: newer });
    cache.receive({ type: "token", sessionId: "sess_1", jwt: older });
    expect(cache.fresh("sess_1")).toBe(newer);
    expect(stored).toEqual(["newer"]);
    // Another session's token is never "older": it replaces.
    const other = jwt({ sid: "sess_2", iat: now / 1000, exp: now / 1000 + 60, jti: "other" });
    cache.receive({ type: "token", sessionId: "sess_2", jwt: other });
    expect(cache.fresh("sess_2")).toBe(other);
  });

  it("ignores an initial token of another session", async () => {
    const { api, lk } = setup({
      initialState: { userId: "user_1", sessionId: "sess_1", user: null, token: tokenFor("sess_other", Date.now()) },
    });
    const t = lk.getToken();
    await vi.advanceTimersByTimeAsync(10);
    await t;
    expect(api.count(TOKENS)).toBe(1);
  });

  it("exposes the claims of the latest token, keeping their identity across routine refreshes", async () => {
    const { lk } = setup();
    await lk.load();
    const first = lk.getToken();
    await vi.advanceTimersByTimeAsync(10);
    await first;
    const claims = lk.getState().claims;
    expect(claims).toMatchObject({ sid: "sess_1", sub: "user_1" });
    const state = lk.getState();
    const again = lk.getToken({ skipCache: true });
    await vi.advanceTimersByTimeAsync(10);
    await again;
    expect(lk.getState()).toBe(state);
  });
});

describe("clock skew", () => {
  async function tokenAt(lk: Latchkey) {
    const t = lk.getToken();
    await vi.advanceTimersByTimeAsync(10);
    return t;
  }

  it.each([
    ["ahead", 3_600_000],
    ["behind", -3_600_000],
  ])("judges expiry in server time when the server's clock is an hour %s", async (_, offset) => {
    const { api, lk } = setup({}, offset);
    await lk.load(); // the Date headers of these answers give the skew
    const token = await tokenAt(lk);
    // Fresh in server time, whatever the local clock says.
    await vi.advanceTimersByTimeAsync(40_000);
    expect(await lk.getToken()).toBe(token);
    expect(api.count(TOKENS)).toBe(1);
    // Due 15 s before the server's exp.
    await vi.advanceTimersByTimeAsync(6_000);
    await tokenAt(lk);
    expect(api.count(TOKENS)).toBe(2);
  });

  it("schedules the background refresh in server time", async () => {
    const { api, lk } = setup({ backgroundRefresh: true }, -3_600_000);
    await lk.load();
    await tokenAt(lk);
    await vi.advanceTimersByTimeAsync(43_000);
    expect(api.count(TOKENS)).toBe(1);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(api.count(TOKENS)).toBe(2);
  });

  it("still refreshes in the background when the server's clock moved back after scheduling", async () => {
    const { api, lk } = setup({ backgroundRefresh: true });
    await lk.load();
    await tokenAt(lk);
    // A later answer's Date header puts the server 2.5 s behind what it was:
    // when the timer fires, the token looks fresh for a little longer.
    api.serverOffsetMs = -2_500;
    await lk.reload();
    await vi.advanceTimersByTimeAsync(44_000);
    expect(api.count(TOKENS)).toBe(1);
    // Before it expires (60 s in server time), it was refreshed anyway.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(api.count(TOKENS)).toBe(2);
  });

  it("never refreshes in a loop when a token looks expired on arrival", async () => {
    // A server whose tokens are already past exp - 15 s: the timer waits its minimum.
    const api = new FakeApi();
    const c = signedIn();
    api
      .on("GET /environment", { body: environment() })
      .on("GET /client", envelope(c, c))
      .on(TOKENS, () => ({ body: { object: "token", jwt: jwt({ sid: "sess_1", exp: Math.floor(Date.now() / 1000) + 10 }) } }));
    const lk = new Latchkey({ fetch: api.fetch, crossTab: false, backgroundRefresh: true });
    made.push(lk);
    await lk.load();
    await lk.getToken();
    await vi.advanceTimersByTimeAsync(4_000);
    expect(api.count(TOKENS)).toBe(1);
    await vi.advanceTimersByTimeAsync(1_500);
    expect(api.count(TOKENS)).toBe(2);
  });
});
