import { afterEach, describe, expect, it } from "vitest";
import { Latchkey, LatchkeyError, isLatchkeyError, type CredentialStore, type LatchkeyOptions } from "../src/index";
import { FakeApi, apiError, client, envelope, environment, session, signedIn, user } from "./fake_api";

const made: Latchkey[] = [];
function latchkey(api: FakeApi, options: LatchkeyOptions = {}): Latchkey {
  const lk = new Latchkey({ fetch: api.fetch, crossTab: false, ...options });
  made.push(lk);
  return lk;
}
afterEach(() => {
  for (const lk of made.splice(0)) lk.destroy();
});

async function failure(p: Promise<unknown>): Promise<LatchkeyError> {
  try {
    await p;
  } catch (e) {
    if (isLatchkeyError(e)) return e;
    throw e;
  }
  throw new Error("expected a LatchkeyError");
}

describe("errors", () => {
  it("parses the API's error body: code, messages, param, status, trace id, every error", async () => {
    const api = new FakeApi().on("PATCH /me", {
      status: 422,
      body: {
        errors: [
          { code: "form_param_value_invalid", message: "Too long.", long_message: "The first name is too long.", meta: { param_name: "first_name" } },
          { code: "form_param_value_invalid", message: "Bad.", meta: { param_name: "last_name" } },
        ],
        trace_id: "req_abc",
      },
    });
    const e = await failure(latchkey(api).me.update({ first_name: "x" }));
    expect(e).toBeInstanceOf(LatchkeyError);
    expect(e.code).toBe("form_param_value_invalid");
    expect(e.message).toBe("Too long.");
    expect(e.longMessage).toBe("The first name is too long.");
    expect(e.paramName).toBe("first_name");
    expect(e.status).toBe(422);
    expect(e.traceId).toBe("req_abc");
    expect(e.retryAfter).toBeUndefined();
    expect(e.errors.map((x) => x.meta?.param_name)).toEqual(["first_name", "last_name"]);
  });

  it("reads Retry-After in seconds or as a date", async () => {
    const api = new FakeApi().on("PATCH /me", apiError(429, "rate_limit_exceeded", undefined, { "Retry-After": "42" }));
    expect((await failure(latchkey(api).me.update({}))).retryAfter).toBe(42);
    const at = new Date(Date.now() + 90_000).toUTCString();
    api.on("PATCH /me", apiError(503, "server_busy", undefined, { "Retry-After": at }));
    const later = (await failure(latchkey(api).me.update({}))).retryAfter ?? 0;
    expect(later).toBeGreaterThan(80);
    expect(later).toBeLessThanOrEqual(90);
  });

  it("takes the trace id from the header when the body has none", async () => {
    const api = new FakeApi().on("PATCH /me", {
      status: 401,
      headers: { "Latchkey-Trace-Id": "req_header" },
      body: { errors: [{ code: "signed_out", message: "Signed out." }] },
    });
    const e = await failure(latchkey(api).me.update({}));
    expect([e.code, e.status, e.traceId]).toEqual(["signed_out", 401, "req_header"]);
  });

  it("reports an unreachable server as network_error", async () => {
    const lk = latchkey(new FakeApi(), {
      fetch: () => Promise.reject(new TypeError("fetch failed")),
    });
    const e = await failure(lk.load());
    expect([e.code, e.status, e.longMessage]).toEqual(["network_error", 0, "fetch failed"]);
  });

  it("reports an answer that is not the API's JSON as response_invalid", async () => {
    const api = new FakeApi()
      .on("GET /environment", { status: 502, text: "<html>Bad gateway</html>" })
      .on("PATCH /me", { status: 200, text: "not json" })
      .on("GET /me", { status: 500, body: { message: "no errors array" } });
    const lk = latchkey(api);
    expect(await failure(lk.load())).toMatchObject({ code: "response_invalid", status: 502 });
    expect(await failure(lk.me.update({}))).toMatchObject({ code: "response_invalid", status: 200 });
    expect(await failure(lk.reloadUser())).toMatchObject({ code: "response_invalid", status: 500 });
  });
});

describe("requests", () => {
  it("calls <frontendApi>/v1 with cookies, and JSON bodies only when there is a body", async () => {
    const seen: { url: string; init: RequestInit | undefined }[] = [];
    const api = new FakeApi().on("PATCH /me", envelope(user(), null)).on("POST /me/sessions/:id/revoke", envelope({}, null));
    const lk = latchkey(api, {
      frontendApi: "https://auth.example.com/",
      fetch: (input, init) => {
        seen.push({ url: String(input), init });
        return api.fetch(input, init);
      },
    });
    await lk.me.update({ first_name: "Ada" });
    await lk.me.revokeSession("sess/1");
    expect(seen[0]?.url).toBe("https://auth.example.com/v1/me");
    expect(seen[0]?.init).toMatchObject({ method: "PATCH", credentials: "include", body: '{"first_name":"Ada"}' });
    expect(new Headers(seen[0]?.init?.headers).get("Content-Type")).toBe("application/json");
    expect(seen[1]?.url).toBe("https://auth.example.com/v1/me/sessions/sess%2F1/revoke");
    expect(seen[1]?.init?.body).toBeUndefined();
    expect(new Headers(seen[1]?.init?.headers).has("Content-Type")).toBe(false);
    expect(new Headers(seen[1]?.init?.headers).has("Latchkey-Client")).toBe(false);
  });

  it("defaults to /__latchkey/v1 on the app's own origin", async () => {
    const urls: string[] = [];
    const api = new FakeApi().on("GET /environment", { body: environment() }).on("GET /client", envelope(null, null));
    const lk = latchkey(api, {
      fetch: (input, init) => {
        urls.push(String(input));
        return api.fetch(input, init);
      },
    });
    await lk.load();
    expect(urls.sort()).toEqual(["/__latchkey/v1/client", "/__latchkey/v1/environment"]);
  });
});

describe("envelope", () => {
  it("updates the state from the client of every answer", async () => {
    const api = new FakeApi().on("GET /environment", { body: environment() }).on("GET /client", envelope(null, null));
    const lk = latchkey(api);
    const seen: boolean[] = [];
    lk.subscribe((s) => seen.push(s.isSignedIn));
    await lk.load();
    expect(lk.getState()).toMatchObject({ loaded: true, isSignedIn: false, client: null, user: null });

    // An answer to anything carries the client: here the user signed in elsewhere in this browser.
    api.on("PATCH /me", envelope(user({ first_name: "Grace" }), signedIn(session("sess_1", user({ first_name: "Grace" })))));
    const returned = await lk.me.update({ first_name: "Grace" });
    expect(returned.first_name).toBe("Grace");
    expect(lk.getState()).toMatchObject({ isSignedIn: true, userId: "user_1", sessionId: "sess_1" });
    expect(lk.getState().user?.first_name).toBe("Grace");
    expect(seen).toEqual([false, true]);
  });

  it("keeps the snapshot's identity while nothing changes", async () => {
    const c = signedIn();
    const api = new FakeApi().on("GET /environment", { body: environment() }).on("GET /client", envelope(c, c));
    const lk = latchkey(api);
    await lk.load();
    const first = lk.getState();
    await lk.reload();
    expect(lk.getState()).toBe(first);
    api.on("GET /client", envelope(null, client()));
    await lk.reload();
    expect(lk.getState()).not.toBe(first);
    expect(lk.getState().isSignedIn).toBe(false);
  });

  it("applies a returned user to the active session", async () => {
    const c = signedIn();
    const api = new FakeApi().on("GET /environment", { body: environment() }).on("GET /client", envelope(c, c));
    const lk = latchkey(api);
    await lk.load();
    // An answer whose client is stale: the user returned still wins.
    api.on("GET /me", envelope(user({ last_name: "Byron" }), c));
    await lk.reloadUser();
    expect(lk.getState().user?.last_name).toBe("Byron");
    expect(lk.getState().session?.user?.last_name).toBe("Byron");
  });
});

describe("native mode", () => {
  function memoryStore(initial: string | null = null): CredentialStore & { value: string | null; writes: string[] } {
    return {
      value: initial,
      writes: [],
      get() {
        return this.value;
      },
      set(v: string) {
        this.value = v;
        this.writes.push(v);
      },
    };
  }

  it("sends the credential header (empty at first) and stores each rotated credential", async () => {
    const store = memoryStore();
    const api = new FakeApi()
      .on("GET /environment", { body: environment() })
      .on("GET /client", envelope(null, null))
      .on("DELETE /client", { ...envelope(client(), client()), headers: { "Latchkey-Client": "cred_2" } })
      .on("POST /client/sign_ins", { ...envelope({}, client()), headers: { "Latchkey-Client": "cred_1" } });
    const lk = latchkey(api, { credentialStore: store });
    await lk.load();
    expect(api.calls.map((c) => c.headers.get("Latchkey-Client"))).toEqual(["", ""]);
    const flow = lk.signInFlow();
    flow.setField("identifier", "ada@example.com");
    api.on("POST /client/sign_ins", { ...apiError(422, "form_password_incorrect", "password"), headers: { "Latchkey-Client": "cred_1" } });
    flow.setField("password", "wrong");
    await flow.submitIdentifier();
    // Even an error answer's rotated credential is kept.
    expect(store.value).toBe("cred_1");
    expect(flow.getState().errors.fields.password?.code).toBe("form_password_incorrect");
    await lk.signOut();
    expect(api.calls.at(-1)?.headers.get("Latchkey-Client")).toBe("cred_1");
    expect(store.writes).toEqual(["cred_1", "cred_2"]);
  });

  it("stores the credential before the answer is read", async () => {
    const order: string[] = [];
    const store: CredentialStore = {
      get: () => null,
      set: async (v) => {
        await Promise.resolve();
        order.push(`stored ${v}`);
      },
    };
    const api = new FakeApi().on("GET /client", { ...envelope(null, client()), headers: { "Latchkey-Client": "cred_9" } });
    const lk = latchkey(api, { credentialStore: store });
    lk.subscribe(() => order.push("state changed"));
    await lk.reload();
    expect(order).toEqual(["stored cred_9", "state changed"]);
  });
});
