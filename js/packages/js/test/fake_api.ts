// A fake Frontend API for unit tests: routes answered by handlers, every
// call recorded, and a server clock that can be set apart from the local one.

import type { Client, Environment, Session, SignIn, SignUp, User } from "../src/index";

export interface Call {
  method: string;
  path: string;
  body: unknown;
  headers: Headers;
}

export interface Reply {
  status?: number;
  body?: unknown;
  /** Sent as is instead of JSON. */
  text?: string;
  headers?: Record<string, string>;
  /** Answer after this many milliseconds (real or fake timers). */
  delayMs?: number;
}

type Handler = (call: Call, params: string[]) => Reply | Promise<Reply>;

export class FakeApi {
  readonly calls: Call[] = [];
  /** Server clock minus local clock, in milliseconds. */
  serverOffsetMs = 0;
  /** Omit the Date header. */
  noDate = false;
  private readonly routes: { method: string; parts: string[]; handler: Handler }[] = [];

  /** on answers "METHOD /path/:id" (":x" matches one segment); later routes win. */
  on(route: string, reply: Reply | Handler): this {
    const [method, pattern] = route.split(" ") as [string, string];
    const handler: Handler = typeof reply === "function" ? reply : () => reply;
    this.routes.unshift({ method, parts: pattern.split("/"), handler });
    return this;
  }

  count(route: string): number {
    const [method, p] = route.split(" ");
    return this.calls.filter((c) => c.method === method && c.path === p).length;
  }

  readonly fetch: typeof fetch = async (input, init) => {
    const url = new URL(String(input), "http://app.test");
    const path = url.pathname.replace(/^.*?\/v1(?=\/)/, "");
    const method = init?.method ?? "GET";
    let body: unknown = init?.body;
    if (typeof body === "string") body = JSON.parse(body);
    const call: Call = { method, path, body, headers: new Headers(init?.headers) };
    this.calls.push(call);
    const segments = path.split("/");
    for (const r of this.routes) {
      if (r.method !== method || r.parts.length !== segments.length) continue;
      const params: string[] = [];
      if (!r.parts.every((p, i) => (p.startsWith(":") ? params.push(decodeURIComponent(segments[i] ?? "")) > 0 : p === segments[i]))) continue;
      const reply = await r.handler(call, params);
      if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
      const headers = new Headers(reply.headers);
      if (!this.noDate && !headers.has("Date")) headers.set("Date", new Date(Date.now() + this.serverOffsetMs).toUTCString());
      const text = reply.text ?? JSON.stringify(reply.body ?? null);
      if (reply.text === undefined) headers.set("Content-Type", "application/json");
      return new Response(text, { status: reply.status ?? 200, headers });
    }
    return new Response(JSON.stringify({ errors: [{ code: "route_not_found", message: `no fake route for ${method} ${path}` }] }), {
      status: 404,
      headers: { "Content-Type": "application/json" },
    });
  };

  /** serverNow is the server's clock in Unix milliseconds. */
  serverNow(): number {
    return Date.now() + this.serverOffsetMs;
  }
}

/** envelope wraps a response with the client, as client endpoints answer. */
export function envelope(response: unknown, client: Client | null): Reply {
  return { body: { response, client } };
}

/** apiError is an error answer in the API's shape. */
export function apiError(status: number, code: string, paramName?: string, headers?: Record<string, string>): Reply {
  return {
    status,
    headers,
    body: {
      errors: [{ code, message: `message of ${code}`, long_message: `long message of ${code}`, ...(paramName ? { meta: { param_name: paramName } } : {}) }],
      trace_id: "req_test",
    },
  };
}

/** jwt makes an unsigned token with claims (the client never verifies). */
export function jwt(claims: Record<string, unknown>): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  return `${part({ alg: "ES256", typ: "JWT" })}.${part(claims)}.c2lnbmF0dXJl`;
}

/** tokenFor is a token of the session, issued at server time nowMs, living lifetimeS seconds. */
export function tokenFor(sessionId: string, nowMs: number, lifetimeS = 60, extra: Record<string, unknown> = {}): string {
  const iat = Math.floor(nowMs / 1000);
  return jwt({ sub: "user_1", sid: sessionId, iat, nbf: iat - 5, exp: iat + lifetimeS, jti: `jti_${Math.random()}`, ...extra });
}

export function environment(over: Partial<Environment> = {}): Environment {
  return {
    object: "environment",
    environment: "development",
    publishable_key: "pk_test_x",
    identifiers: {
      email_address: { enabled: true, required: true, used_for_sign_in: true },
      phone_number: { enabled: false, required: false, used_for_sign_in: false },
      username: { enabled: false, required: false, used_for_sign_in: false, min_length: 4, max_length: 64 },
    },
    name: { enabled: true, required: false },
    password: { enabled: true, required: true, min_length: 8, max_length: 1024, policy: "default" },
    sign_in: { first_factors: ["password", "email_code", "email_link", "reset_password_email_code", "reset_password_email_link"] },
    sign_up: { mode: "public", legal_consent_required: false, verifications: ["email_code", "email_link"] },
    session: { multi_session: false, token_lifetime_seconds: 60 },
    branding: { application_name: "Test", logo_url: "", primary_color: "", support_email: "" },
    delete_self_enabled: true,
    frontend_api_path: "/v1",
    ...over,
  };
}

export function user(over: Partial<User> = {}): User {
  return {
    object: "user",
    id: "user_1",
    external_id: null,
    username: null,
    first_name: "Ada",
    last_name: "Lovelace",
    image_url: "",
    has_image: false,
    primary_email_address_id: "idn_email_1",
    primary_phone_number_id: null,
    password_enabled: true,
    two_factor_enabled: false,
    email_addresses: [],
    phone_numbers: [],
    external_accounts: [],
    public_metadata: {},
    unsafe_metadata: {},
    banned: false,
    locked: false,
    lockout_expires_in_seconds: null,
    last_sign_in_at: null,
    password_last_updated_at: null,
    created_at: 1,
    updated_at: 1,
    ...over,
  };
}

export function session(id = "sess_1", u: User = user()): Session {
  return { object: "session", id, status: "active", last_active_at: 1, expire_at: 9e15, abandon_at: null, user: u, created_at: 1, updated_at: 1 };
}

export function client(over: Partial<Client> = {}): Client {
  return { object: "client", id: "client_1", sessions: [], sign_in: null, sign_up: null, last_active_session_id: null, created_at: 1, updated_at: 1, ...over };
}

export function signedIn(s: Session = session()): Client {
  return client({ sessions: [s], last_active_session_id: s.id });
}

export function signIn(over: Partial<SignIn> = {}): SignIn {
  const masked = "a***@example.com";
  return {
    object: "sign_in",
    id: "sia_1",
    status: "needs_first_factor",
    identifier: "ada@example.com",
    supported_identifiers: ["email_address"],
    supported_first_factors: [
      { strategy: "password" },
      { strategy: "email_code", safe_identifier: masked },
      { strategy: "email_link", safe_identifier: masked },
      { strategy: "reset_password_email_code", safe_identifier: masked },
      { strategy: "reset_password_email_link", safe_identifier: masked },
    ],
    supported_second_factors: null,
    first_factor_verification: null,
    second_factor_verification: null,
    created_session_id: null,
    expire_at: 9e15,
    created_at: 1,
    updated_at: 1,
    ...over,
  };
}

export function signUp(over: Partial<SignUp> = {}): SignUp {
  return {
    object: "sign_up",
    id: "sua_1",
    status: "missing_requirements",
    required_fields: ["email_address", "password"],
    optional_fields: ["first_name", "last_name"],
    missing_fields: [],
    unverified_fields: ["email_address"],
    verifications: { email_address: null },
    username: null,
    email_address: "ada@example.com",
    phone_number: null,
    first_name: null,
    last_name: null,
    has_password: true,
    unsafe_metadata: {},
    legal_accepted_at: null,
    created_user_id: null,
    created_session_id: null,
    abandon_at: 9e15,
    expire_at: 9e15,
    created_at: 1,
    updated_at: 1,
    ...over,
  };
}

/** until waits (polling microtasks and timers) for cond, failing after a few seconds. */
export async function until(cond: () => boolean, what = "condition"): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}
