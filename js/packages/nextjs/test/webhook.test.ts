// verifyWebhook against signatures made two independent ways: by the
// standardwebhooks library and by hand with node:crypto (HMAC-SHA256 of
// "id.timestamp.body" keyed with the base64 after "whsec_"), plus the
// Standard Webhooks specification's published test vector.

import { createHmac, randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Webhook } from "standardwebhooks";
import { verifyWebhook, WebhookVerificationError, type WebhookEvent, type WebhookVerificationErrorCode } from "../src/webhook";
import * as serverEntry from "../src/server";

const SECRET = `whsec_${randomBytes(32).toString("base64")}`;
const OTHER_SECRET = `whsec_${randomBytes(32).toString("base64")}`;
const URL_ = "https://app.example/api/webhooks/latchkey";

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** handSign is the spec's v1 signature, computed without the library. */
function handSign(secret: string, id: string, timestamp: number | string, body: string): string {
  const key = Buffer.from(secret.slice("whsec_".length), "base64");
  return `v1,${createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64")}`;
}

/** librarySign is the same signature made by the standardwebhooks library. */
function librarySign(secret: string, id: string, timestamp: number, body: string): string {
  return new Webhook(secret).sign(id, new Date(timestamp * 1000), body);
}

function event(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    object: "event",
    id: "evt_2c4Yb7",
    type: "user.created",
    timestamp: 1764120000000,
    instance_id: "ins_1",
    data: {
      object: "user",
      id: "user_ada",
      first_name: "Ada",
      last_name: "Lovelace",
      image_url: "",
      email_addresses: [{ object: "email_address", id: "idn_1", email_address: "ada@example.com" }],
      private_metadata: {},
    },
    sequence: 1,
    ...over,
  };
}

interface Delivery {
  id?: string | undefined;
  timestamp?: string | number | undefined;
  signature?: string | undefined;
  body?: string;
}

/** request builds the POST Latchkey would send; undefined leaves a header out. */
function request(d: Delivery): Request {
  const headers = new Headers({ "content-type": "application/json" });
  if (d.id !== undefined) headers.set("webhook-id", d.id);
  if (d.timestamp !== undefined) headers.set("webhook-timestamp", String(d.timestamp));
  if (d.signature !== undefined) headers.set("webhook-signature", d.signature);
  return new Request(URL_, { method: "POST", headers, body: d.body ?? "" });
}

/** signed is a correctly signed delivery of body (by default an event whose id is the header's). */
function signed(body: Record<string, unknown> | string = event(), secret = SECRET, timestamp = nowSeconds()): Delivery & { body: string } {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const id = typeof body === "string" ? "evt_2c4Yb7" : String(body.id);
  return { id, timestamp, signature: handSign(secret, id, timestamp, text), body: text };
}

async function failure(p: Promise<unknown>): Promise<WebhookVerificationError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, "verifyWebhook should have thrown").toBeInstanceOf(WebhookVerificationError);
  return err as WebhookVerificationError;
}

async function code(p: Promise<unknown>): Promise<WebhookVerificationErrorCode> {
  const err = await failure(p);
  for (const secret of [SECRET, OTHER_SECRET]) expect(err.message).not.toContain(secret.slice("whsec_".length));
  return err.code;
}

beforeEach(() => vi.stubEnv("LATCHKEY_WEBHOOK_SECRET", ""));
afterEach(() => {
  vi.unstubAllEnvs();
  vi.useRealTimers();
});

describe("the specification's test vector", () => {
  const vector = {
    secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
    timestamp: 1614265330,
    body: '{"test": 2432232314}',
    signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
  };

  it("is what both signers in this file produce", () => {
    expect(handSign(vector.secret, vector.id, vector.timestamp, vector.body)).toBe(vector.signature);
    expect(librarySign(vector.secret, vector.id, vector.timestamp, vector.body)).toBe(vector.signature);
  });

  it("verifies at its own time, then fails only on the envelope (the body is not an event)", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(vector.timestamp * 1000 + 10_000);
    const d = { id: vector.id, timestamp: vector.timestamp, signature: vector.signature, body: vector.body };
    const err = await failure(verifyWebhook(request(d), vector.secret));
    expect(err.code).toBe("invalid_payload");
    expect(err.message).toContain('object is not "event"');
  });

  it("fails the signature when one character of it changes", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(vector.timestamp * 1000);
    const signature = vector.signature.replace("g0hM", "g0hN");
    const d = { id: vector.id, timestamp: vector.timestamp, signature, body: vector.body };
    expect(await code(verifyWebhook(request(d), vector.secret))).toBe("invalid_signature");
  });

  it("is out of range at today's time", async () => {
    const d = { id: vector.id, timestamp: vector.timestamp, signature: vector.signature, body: vector.body };
    expect(await code(verifyWebhook(request(d), vector.secret))).toBe("timestamp_out_of_range");
  });
});

describe("verifyWebhook", () => {
  it("returns the event signed by hand", async () => {
    const e: WebhookEvent = await verifyWebhook(request(signed()), SECRET);
    expect(e).toEqual(event());
    if (e.type !== "user.created") throw new Error(`type ${e.type}`);
    expect(e.data.email_addresses[0]?.email_address).toBe("ada@example.com");
  });

  it("returns the event signed by the standardwebhooks library", async () => {
    const body = JSON.stringify(event({ id: "evt_lib", type: "user.updated", sequence: 7 }));
    const ts = nowSeconds();
    const e = await verifyWebhook(request({ id: "evt_lib", timestamp: ts, signature: librarySign(SECRET, "evt_lib", ts, body), body }), SECRET);
    expect(e.type).toBe("user.updated");
    expect(e.sequence).toBe(7);
    expect(e.id).toBe("evt_lib");
  });

  it("is exported from @latchkey/nextjs/server", () => {
    expect(serverEntry.verifyWebhook).toBe(verifyWebhook);
    expect(serverEntry.WebhookVerificationError).toBe(WebhookVerificationError);
  });

  it("reads LATCHKEY_WEBHOOK_SECRET by default", async () => {
    vi.stubEnv("LATCHKEY_WEBHOOK_SECRET", `${SECRET}\n`);
    expect((await verifyWebhook(request(signed()))).id).toBe("evt_2c4Yb7");
    vi.stubEnv("LATCHKEY_WEBHOOK_SECRET", OTHER_SECRET);
    expect(await code(verifyWebhook(request(signed())))).toBe("invalid_signature");
  });

  it("rejects a tampered body", async () => {
    const d = signed();
    d.body = d.body.replace('"sequence":1', '"sequence":2');
    expect(d.body).toContain('"sequence":2');
    expect(await code(verifyWebhook(request(d), SECRET))).toBe("invalid_signature");
  });

  it("rejects a tampered signature", async () => {
    const d = signed();
    const mac = Buffer.from(d.signature!.slice(3), "base64");
    mac[0] = mac[0]! ^ 1;
    d.signature = `v1,${mac.toString("base64")}`;
    expect(await code(verifyWebhook(request(d), SECRET))).toBe("invalid_signature");
  });

  it("rejects a signature made with another secret", async () => {
    expect(await code(verifyWebhook(request(signed(event(), OTHER_SECRET)), SECRET))).toBe("invalid_signature");
  });

  it("ignores signatures of other versions", async () => {
    const d = signed();
    d.signature = d.signature!.replace(/^v1,/, "v2,");
    expect(await code(verifyWebhook(request(d), SECRET))).toBe("invalid_signature");
  });

  it("accepts a rotation header where only the second signature matches", async () => {
    const good = signed();
    const bad = signed(event(), OTHER_SECRET, Number(good.timestamp));
    expect(bad.signature).not.toBe(good.signature);
    const both = { ...good, signature: `${bad.signature} ${good.signature}` };
    expect((await verifyWebhook(request(both), SECRET)).id).toBe("evt_2c4Yb7");
    // and the first one alone is not enough
    expect(await code(verifyWebhook(request({ ...good, signature: bad.signature }), SECRET))).toBe("invalid_signature");
  });

  it("accepts two webhook-signature header lines", async () => {
    const good = signed();
    const bad = signed(event(), OTHER_SECRET, Number(good.timestamp));
    const orders: Array<[string, string]> = [
      [bad.signature!, good.signature!],
      [good.signature!, bad.signature!],
    ];
    for (const [first, second] of orders) {
      const req = request({ ...good, signature: undefined });
      req.headers.append("webhook-signature", first);
      req.headers.append("webhook-signature", second);
      expect(req.headers.get("webhook-signature")).toBe(`${first}, ${second}`);
      expect((await verifyWebhook(req, SECRET)).id).toBe("evt_2c4Yb7");
    }
  });

  it("accepts a timestamp within 5 minutes, either way", async () => {
    for (const skew of [-290, 290]) {
      expect((await verifyWebhook(request(signed(event(), SECRET, nowSeconds() + skew)), SECRET)).id).toBe("evt_2c4Yb7");
    }
  });

  it("rejects a timestamp more than 5 minutes old, even correctly signed", async () => {
    expect(await code(verifyWebhook(request(signed(event(), SECRET, nowSeconds() - 310)), SECRET))).toBe("timestamp_out_of_range");
  });

  it("rejects a timestamp more than 5 minutes ahead, even correctly signed", async () => {
    expect(await code(verifyWebhook(request(signed(event(), SECRET, nowSeconds() + 310)), SECRET))).toBe("timestamp_out_of_range");
  });

  it("uses the clock it is given (fake timers)", async () => {
    const ts = nowSeconds() - 3600;
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(ts * 1000);
    expect((await verifyWebhook(request(signed(event(), SECRET, ts)), SECRET)).id).toBe("evt_2c4Yb7");
  });

  it.each(["id", "timestamp", "signature"] as const)("rejects a delivery without webhook-%s", async (header) => {
    const d = signed();
    expect((await verifyWebhook(request(d), SECRET)).id).toBe("evt_2c4Yb7");
    expect(await code(verifyWebhook(request({ ...d, [header]: undefined }), SECRET))).toBe("missing_headers");
    expect(await code(verifyWebhook(request({ ...d, [header]: "" }), SECRET))).toBe("missing_headers");
  });

  it.each(["12abc", "-5", "1.5e9", " "])("rejects webhook-timestamp %j", async (timestamp) => {
    const d = signed();
    // signed over the malformed value, so only the header's format can fail it
    d.signature = handSign(SECRET, d.id!, timestamp, d.body);
    expect(await code(verifyWebhook(request({ ...d, timestamp }), SECRET))).toBe("missing_headers");
  });

  it("rejects a body whose id is not webhook-id, even signed", async () => {
    const body = JSON.stringify(event({ id: "evt_other" }));
    const ts = nowSeconds();
    const d = { id: "evt_2c4Yb7", timestamp: ts, signature: handSign(SECRET, "evt_2c4Yb7", ts, body), body };
    const err = await failure(verifyWebhook(request(d), SECRET));
    expect(err.code).toBe("invalid_payload");
    expect(err.message).toContain("webhook-id");
  });

  const notEvents: Array<[string, Record<string, unknown> | string]> = [
    ["not JSON", "evt_2c4Yb7 {"],
    ["an empty body", ""],
    ["a JSON array", "[]"],
    ["JSON null", "null"],
    ["another object", event({ object: "user" })],
    ["no type", event({ type: undefined })],
    ["a numeric id", event({ id: 12 })],
    ["a string timestamp", event({ timestamp: "1764120000000" })],
    ["a fractional sequence", event({ sequence: 1.5 })],
    ["no sequence", event({ sequence: undefined })],
    ["no instance_id", event({ instance_id: undefined })],
    ["null data", event({ data: null })],
    ["array data", event({ data: [] })],
    ["a user.created whose data is a session", event({ data: { object: "session", id: "sess_1" } })],
    ["a user.updated whose data has no id", event({ type: "user.updated", data: { object: "user" } })],
    ["a user.deleted not deleted", event({ type: "user.deleted", data: { object: "user", id: "user_ada" } })],
    ["a session.ended whose data is a user", event({ type: "session.ended" })],
  ];
  it.each(notEvents)("rejects %s, even signed", async (_, body) => {
    expect(await code(verifyWebhook(request(signed(body)), SECRET))).toBe("invalid_payload");
  });

  it("returns the other event types", async () => {
    const deleted = event({ type: "user.deleted", data: { object: "user", id: "user_ada", deleted: true }, sequence: 3 });
    const e = await verifyWebhook(request(signed(deleted)), SECRET);
    if (e.type !== "user.deleted") throw new Error(`type ${e.type}`);
    expect(e.data).toEqual({ object: "user", id: "user_ada", deleted: true });

    const session = event({ type: "session.revoked", data: { object: "session", id: "sess_1", user_id: "user_ada", status: "revoked" } });
    expect((await verifyWebhook(request(signed(session)), SECRET)).data).toMatchObject({ id: "sess_1", status: "revoked" });

    const test = event({ type: "webhook.test", data: { object: "webhook_test", endpoint_id: "whe_1", message: "hello" }, sequence: 0 });
    expect((await verifyWebhook(request(signed(test)), SECRET)).type).toBe("webhook.test");
  });

  it("returns an event of a type it does not know, as it came", async () => {
    const future = event({ type: "organization.created", data: { object: "organization", id: "org_1" }, extra: true });
    expect(await verifyWebhook(request(signed(future)), SECRET)).toEqual(future);
  });

  it("accepts any of several secrets", async () => {
    const d = signed();
    expect((await verifyWebhook(request(d), [OTHER_SECRET, SECRET])).id).toBe("evt_2c4Yb7");
    expect((await verifyWebhook(request(d), [SECRET, OTHER_SECRET])).id).toBe("evt_2c4Yb7");
    const third = `whsec_${randomBytes(24).toString("base64")}`;
    expect(await code(verifyWebhook(request(d), [OTHER_SECRET, third]))).toBe("invalid_signature");
  });

  it("needs a secret, and names LATCHKEY_WEBHOOK_SECRET", async () => {
    for (const secret of [undefined, "", "  ", [], [""]]) {
      const err = await failure(verifyWebhook(request(signed()), secret));
      expect(err.code, JSON.stringify(secret)).toBe("missing_secret");
      expect(err.message).toContain("LATCHKEY_WEBHOOK_SECRET");
    }
  });

  it("rejects an unusable secret without showing it", async () => {
    for (const secret of ["whsec_", "whsec_not base64!!", [SECRET, "whsec_%%%%"]]) {
      const err = await failure(verifyWebhook(request(signed()), secret));
      expect(err.code, JSON.stringify(secret)).toBe("missing_secret");
      expect(err.message).not.toContain("not base64");
      expect(err.message).not.toContain("%%%%");
    }
  });

  it("checks the secret before anything else", async () => {
    expect(await code(verifyWebhook(request({}), undefined))).toBe("missing_secret");
  });
});
