// Two Latchkey clients in one process stand for two tabs: BroadcastChannel
// delivers between them as between tabs of one origin.

import { afterEach, describe, expect, it, vi } from "vitest";
import { Latchkey, type LatchkeyOptions } from "../src/index";
import { FakeApi, client, envelope, environment, session, signIn, signedIn, tokenFor, until, user } from "./fake_api";

const TOKENS = "POST /client/sessions/sess_1/tokens";

const made: Latchkey[] = [];
afterEach(() => {
  for (const lk of made.splice(0)) lk.destroy();
  vi.unstubAllGlobals();
});

/** tab is one tab of a browser signed in as user_1 (or signed out). */
async function tab(signedInAtStart: boolean, options: LatchkeyOptions = {}) {
  const api = new FakeApi();
  const c = signedInAtStart ? signedIn() : client();
  api
    .on("GET /environment", { body: environment() })
    .on("GET /client", envelope(c, c))
    .on("DELETE /client", envelope(client(), client()))
    .on(TOKENS, () => ({ body: { object: "token", jwt: tokenFor("sess_1", api.serverNow()) }, delayMs: 30 }));
  const lk = new Latchkey({ fetch: api.fetch, crossTab: true, backgroundRefresh: false, ...options });
  made.push(lk);
  await lk.load();
  return { api, lk };
}

/**
 * heard resolves when a message of type goes over the channel. Listeners are
 * served in the order they were made, so the tabs made before have it too.
 */
function heard(type: string): Promise<void> {
  const probe = new BroadcastChannel("latchkey");
  return new Promise((resolve) => {
    probe.onmessage = (e: MessageEvent<{ type: string }>) => {
      if (e.data.type === type) {
        probe.close();
        resolve();
      }
    };
  });
}

/** A Web Locks stand-in: one holder per name at a time, in request order. */
function fakeLocks() {
  const tails = new Map<string, Promise<unknown>>();
  return {
    request<T>(name: string, fn: () => Promise<T>): Promise<T> {
      const run = (tails.get(name) ?? Promise.resolve()).then(fn);
      tails.set(
        name,
        run.catch(() => {}),
      );
      return run;
    },
  };
}

describe("cross-tab", () => {
  it("signs every tab out when one signs out, without a page reload or a request", async () => {
    const a = await tab(true);
    const b = await tab(true);
    expect(b.lk.getState().isSignedIn).toBe(true);
    const requestsOfB = b.api.calls.length;
    const seen: boolean[] = [];
    b.lk.subscribe((s) => seen.push(s.isSignedIn));
    await a.lk.signOut();
    expect(a.lk.getState().isSignedIn).toBe(false);
    await until(() => !b.lk.getState().isSignedIn, "tab B signed out");
    expect(seen).toEqual([false]);
    expect(b.api.calls.length).toBe(requestsOfB);
  });

  it("signs the other tabs in when a flow completes in one", async () => {
    const a = await tab(false);
    const b = await tab(false);
    const completed = signedIn();
    a.api
      .on("POST /client/sign_ins", envelope(signIn({ status: "complete", created_session_id: "sess_1" }), completed))
      .on("GET /client", envelope(completed, completed));
    const flow = a.lk.signInFlow();
    flow.setField("identifier", "ada@example.com");
    flow.setField("password", "correct horse battery staple");
    await flow.submitIdentifier();
    expect(flow.getState()).toMatchObject({ step: "complete", createdSessionId: "sess_1" });
    await until(() => b.lk.getState().isSignedIn, "tab B signed in");
    expect(b.lk.getState().user?.id).toBe("user_1");
  });

  it("passes a profile change to the other tabs", async () => {
    const a = await tab(true);
    const b = await tab(true);
    const renamed = user({ first_name: "Augusta", updated_at: 2 });
    a.api.on("PATCH /me", envelope(renamed, signedIn(session("sess_1", renamed))));
    await a.lk.me.update({ first_name: "Augusta" });
    await until(() => b.lk.getState().user?.first_name === "Augusta", "tab B sees the new name");
  });

  it("shares a refreshed token with the other tabs", async () => {
    const a = await tab(true);
    const b = await tab(true);
    const token = await a.lk.getToken();
    await until(() => b.lk.getState().claims !== null, "tab B got the token");
    expect(await b.lk.getToken()).toBe(token);
    expect(b.api.count(TOKENS)).toBe(0);
  });

  it("refreshes once across tabs with Web Locks", async () => {
    vi.stubGlobal("navigator", { locks: fakeLocks() });
    const a = await tab(true);
    const b = await tab(true);
    const announced = heard("refreshing");
    const both = Promise.all([a.lk.getToken(), b.lk.getToken()]);
    // Whichever got the lock first is refreshing; the other waits for the lock.
    await announced;
    const [ta, tb] = await both;
    expect(ta).toBe(tb);
    expect(a.api.count(TOKENS) + b.api.count(TOKENS)).toBe(1);
  });

  it("without Web Locks, waits for the refresh another tab announced", async () => {
    const a = await tab(true);
    const b = await tab(true);
    // A's answer waits for the gate; a third listener on the channel sees
    // A's "refreshing" notice right after B (created earlier) does.
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    a.api.on(TOKENS, async () => {
      await gate;
      return { body: { object: "token", jwt: tokenFor("sess_1", a.api.serverNow()) } };
    });
    const announced = heard("refreshing");
    const pending = a.lk.getToken();
    await announced;
    const fromB = b.lk.getToken();
    open();
    const [ta, tb] = await Promise.all([pending, fromB]);
    expect(tb).toBe(ta);
    expect(b.api.count(TOKENS)).toBe(0);
  });

  it("stays out of it with crossTab: false", async () => {
    const a = await tab(true);
    const b = await tab(true, { crossTab: false });
    await a.lk.signOut();
    await a.lk.getToken();
    await new Promise((r) => setTimeout(r, 50));
    expect(b.lk.getState().isSignedIn).toBe(true);
  });
});
