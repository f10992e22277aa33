// @latchkey/js against the real server (`latchkey dev`, started by
// server.setup.ts). Node keeps no cookies, so every "browser" here is a
// client in native mode: its credential travels in the Latchkey-Client
// header and lives in a memory store.

import { afterAll, describe, expect, inject, it } from "vitest";
import { Latchkey, type CredentialStore, type SignInFlow, type SignUpFlow } from "../src/index";
import { decodeClaims } from "../src/jwt";

const base = inject("latchkeyUrl");
const secretKey = inject("latchkeySecretKey");
const ORIGIN = "http://localhost:3000";
const run = Date.now().toString(36);

const made: Latchkey[] = [];
afterAll(() => {
  for (const lk of made) lk.destroy();
});

interface Browser {
  lk: Latchkey;
  store: CredentialStore & { value: string | null };
}

/** browser is a new device: no credential yet, requests from ORIGIN (or origin). */
function browser(origin = ORIGIN): Browser {
  const store = {
    value: null as string | null,
    get() {
      return this.value;
    },
    set(v: string) {
      this.value = v;
    },
  };
  const lk = new Latchkey({
    frontendApi: base,
    credentialStore: store,
    fetch: (input, init) => {
      const headers = new Headers(init?.headers);
      headers.set("Origin", origin);
      return fetch(input, { ...init, headers });
    },
  });
  made.push(lk);
  return { lk, store };
}

let mailbox = 0;
/** address is a fresh email address for one scenario. */
function address(name: string): string {
  return `${name}+${run}-${++mailbox}@example.com`;
}

interface Mail {
  id: string;
  kind: string;
  codes: string[];
  links: string[];
}

async function inbox(to: string): Promise<Mail[]> {
  const res = await fetch(`${base}/dev/inbox.json?to=${encodeURIComponent(to)}`);
  return ((await res.json()) as { data: Mail[] }).data;
}

/** nextMail waits for a message of kind to `to` that was not there before (mail is sent in the background). */
async function nextMail(to: string, kind: string, before: Mail[]): Promise<Mail> {
  const seen = new Set(before.map((m) => m.id));
  for (let i = 0; i < 100; i++) {
    const found = (await inbox(to)).find((m) => m.kind === kind && !seen.has(m.id));
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${kind} mail to ${to}`);
}

/** createUser makes an account through the Backend API. */
async function createUser(email: string, password: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/users`, {
    method: "POST",
    headers: { Authorization: `Bearer ${secretKey}`, "Content-Type": "application/json" },
    body: JSON.stringify({ email_address: [email], password, first_name: "Grace" }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { id: string }).id;
}

function stepOf(flow: SignInFlow | SignUpFlow, step: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`flow never reached ${step}; at ${flow.getState().step}: ${JSON.stringify(flow.getState().errors)}`)), 15_000);
    const check = () => {
      if (flow.getState().step === step) {
        clearTimeout(timer);
        off();
        resolve();
      }
    };
    const off = flow.subscribe(check);
    check();
  });
}

async function signInWithPassword(lk: Latchkey, email: string, password: string): Promise<SignInFlow> {
  const flow = lk.signInFlow();
  flow.setField("identifier", email);
  flow.setField("password", password);
  await flow.submitIdentifier();
  return flow;
}

const PASSWORD = "violet harbor lantern 93";

describe("against the real server", () => {
  it("signs up with an email code, signs out, and signs in with the password", async () => {
    const email = address("ada");
    const { lk, store } = browser();
    await lk.load();
    expect(lk.getState()).toMatchObject({ loaded: true, isSignedIn: false });
    expect(lk.getState().environment?.password.enabled).toBe(true);

    const signUp = lk.signUpFlow();
    expect(signUp.getState().fields.map((f) => f.name)).toEqual(["first_name", "last_name", "email_address", "password"]);
    signUp.setField("email_address", email);
    signUp.setField("password", PASSWORD);
    signUp.setField("first_name", "Ada");
    const before = await inbox(email);
    await signUp.submit();
    expect(signUp.getState().errors).toEqual({ global: [], fields: {} });
    expect(signUp.getState().step).toBe("verify_email_code");

    signUp.setField("code", "000000");
    await signUp.submitCode();
    expect(signUp.getState().errors.fields.code?.code).toBe("form_code_incorrect");

    const mail = await nextMail(email, "verification_code", before);
    signUp.setField("code", mail.codes[0] ?? "");
    await signUp.submitCode();
    expect(signUp.getState()).toMatchObject({ step: "complete" });
    const state = lk.getState();
    expect(state).toMatchObject({ isSignedIn: true, sessionId: signUp.getState().createdSessionId });
    expect(state.user?.first_name).toBe("Ada");
    expect(state.user?.email_addresses[0]?.email_address).toBe(email);
    expect(store.value).toMatch(/^[A-Za-z0-9_-]{40,}$/);

    const token = await lk.getToken();
    const claims = decodeClaims(token ?? "");
    expect(claims).toMatchObject({ sub: state.userId, sid: state.sessionId, azp: ORIGIN });
    expect(lk.getState().claims).toMatchObject({ sub: state.userId });
    expect(await lk.getToken()).toBe(token); // cached

    // The address is taken now.
    const other = browser().lk.signUpFlow();
    other.setField("email_address", email);
    other.setField("password", PASSWORD);
    await other.submit();
    expect(other.getState().errors.fields.email_address?.code).toBe("form_identifier_exists");

    await lk.signOut();
    expect(lk.getState()).toMatchObject({ isSignedIn: false, user: null });
    expect(await lk.getToken()).toBeNull();

    const signIn = lk.signInFlow();
    signIn.setField("identifier", email);
    await signIn.submitIdentifier();
    expect(signIn.getState().step).toBe("password");
    signIn.setField("password", "not the password at all");
    await signIn.submitPassword();
    expect(signIn.getState().errors.fields.password?.code).toBe("form_password_incorrect");
    signIn.setField("password", PASSWORD);
    await signIn.submitPassword();
    expect(signIn.getState().step).toBe("complete");
    expect(lk.getState().userId).toBe(state.userId);

    // Signed in already: another sign-in is refused.
    const again = await signInWithPassword(lk, email, PASSWORD);
    expect(again.getState().errors.global[0]?.code).toBe("session_exists");
  });

  it("signs in with a magic link opened on another device", async () => {
    const email = address("link");
    const userId = await createUser(email, PASSWORD);
    const { lk } = browser();
    await lk.load();
    const flow = lk.signInFlow({ redirectUrl: `${ORIGIN}/sign-in` });
    flow.setField("identifier", email);
    await flow.submitIdentifier();
    const before = await inbox(email);
    await flow.chooseStrategy("email_link");
    expect(flow.getState()).toMatchObject({ step: "email_link", safeIdentifier: expect.stringContaining("@example.com") });
    const waiting = stepOf(flow, "complete"); // subscribed: the flow polls

    const mail = await nextMail(email, "magic_link", before);
    const opened = await fetch(mail.links[0] ?? "", { redirect: "manual" });
    expect(opened.status).toBe(303);
    const target = new URL(opened.headers.get("Location") ?? "");
    expect(`${target.origin}${target.pathname}`).toBe(`${ORIGIN}/sign-in`);
    expect(target.searchParams.get("lk_status")).toBe("verified_switch_tab");

    await waiting;
    expect(lk.getState()).toMatchObject({ isSignedIn: true, userId });
    expect(decodeClaims((await lk.getToken()) ?? "")?.sub).toBe(userId);
  });

  it("resets a forgotten password with a code", async () => {
    const email = address("reset");
    await createUser(email, PASSWORD);
    const { lk } = browser();
    const flow = lk.signInFlow();
    flow.setField("identifier", email);
    await flow.submitIdentifier();
    flow.forgotPassword();
    expect(flow.getState().resetStrategies).toEqual(["reset_password_email_code", "reset_password_email_link"]);
    const before = await inbox(email);
    await flow.chooseStrategy("reset_password_email_code");
    expect(flow.getState().step).toBe("reset_code");
    const mail = await nextMail(email, "password_reset_code", before);
    flow.setField("code", mail.codes[0] ?? "");
    await flow.submitCode();
    expect(flow.getState().step).toBe("new_password");

    flow.setField("new_password", "short");
    await flow.submitNewPassword();
    expect(flow.getState().errors.fields.new_password?.code).toBe("form_password_length_too_short");
    const fresh = "amber meadow compass 57";
    flow.setField("new_password", fresh);
    await flow.submitNewPassword();
    expect(flow.getState().step).toBe("complete");
    expect(lk.getState().isSignedIn).toBe(true);

    await lk.signOut();
    expect((await signInWithPassword(lk, email, PASSWORD)).getState().errors.fields.password?.code).toBe("form_password_incorrect");
    expect((await signInWithPassword(lk, email, fresh)).getState().step).toBe("complete");
  });

  it("edits the profile, lists and revokes devices", async () => {
    const email = address("me");
    await createUser(email, PASSWORD);
    const laptop = browser();
    const phone = browser();
    expect((await signInWithPassword(laptop.lk, email, PASSWORD)).getState().step).toBe("complete");
    expect((await signInWithPassword(phone.lk, email, PASSWORD)).getState().step).toBe("complete");

    const updated = await laptop.lk.me.update({ first_name: "Augusta", last_name: "King" });
    expect(updated).toMatchObject({ first_name: "Augusta", last_name: "King" });
    expect(laptop.lk.getState().user).toMatchObject({ first_name: "Augusta", last_name: "King" });
    expect(laptop.lk.getState().session?.user?.first_name).toBe("Augusta");
    expect((await phone.lk.reloadUser())?.first_name).toBe("Augusta");
    expect(phone.lk.getState().user?.first_name).toBe("Augusta");

    await expect(laptop.lk.me.createEmailAddress(address("ada"))).resolves.toMatchObject({ object: "email_address" });
    await expect(laptop.lk.me.createEmailAddress(email)).rejects.toMatchObject({ code: "form_identifier_exists", status: 409 });

    const devices = await laptop.lk.me.listSessions();
    expect(devices).toHaveLength(2);
    expect(devices.find((d) => d.current)?.id).toBe(laptop.lk.getState().sessionId);
    const phoneSession = phone.lk.getState().sessionId ?? "";
    expect(await phone.lk.getToken()).toMatch(/^ey/);

    await laptop.lk.me.revokeSession(phoneSession);
    expect((await laptop.lk.me.listSessions()).map((d) => d.id)).toEqual([laptop.lk.getState().sessionId]);
    // The phone finds out at its next refresh: signed out, no error.
    expect(await phone.lk.getToken({ skipCache: true })).toBeNull();
    expect(phone.lk.getState().isSignedIn).toBe(false);
    await expect(phone.lk.me.update({ first_name: "X" })).rejects.toMatchObject({ code: "signed_out", status: 401 });
  });

  it("gets the server's error for a foreign origin", async () => {
    const { lk } = browser("https://evil.example");
    const flow = lk.signInFlow();
    flow.setField("identifier", address("evil"));
    await flow.submitIdentifier();
    expect(flow.getState().errors.global[0]).toMatchObject({ code: "origin_not_allowed", status: 403 });
    expect(flow.getState().errors.global[0]?.traceId).toMatch(/^req_/);
  });
});
