// Receiving Latchkey's webhooks in a route handler. The signature is checked
// by the standardwebhooks library (the specification's own, so a receiver
// and the server never disagree about the scheme); this file adds what the
// library leaves to its caller: where the secret comes from, strict headers,
// the event's envelope, and errors with stable codes. Web APIs only, so it
// runs on the Edge runtime as well as in Node.

import { Webhook } from "standardwebhooks";
import type { BackendUser } from "./backend_user";

/**
 * WebhookVerificationError is thrown by verifyWebhook. Its message never
 * contains a secret. `code` is stable:
 * - "missing_secret": no secret given and LATCHKEY_WEBHOOK_SECRET unset or empty, or a secret that is not a whsec_ secret;
 * - "missing_headers": webhook-id, webhook-timestamp or webhook-signature missing, or the timestamp not a number of seconds;
 * - "invalid_signature": no signature in webhook-signature matches any of the secrets;
 * - "timestamp_out_of_range": webhook-timestamp more than 5 minutes from this server's clock (a replay, or a clock problem);
 * - "invalid_payload": the body could not be read, is not a Latchkey event, or its id is not webhook-id.
 */
export class WebhookVerificationError extends Error {
  readonly code: WebhookVerificationErrorCode;

  constructor(code: WebhookVerificationErrorCode, message: string, init: { cause?: unknown } = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "WebhookVerificationError";
    this.code = code;
  }
}

export type WebhookVerificationErrorCode =
  | "missing_secret"
  | "missing_headers"
  | "invalid_signature"
  | "timestamp_out_of_range"
  | "invalid_payload";

/**
 * WebhookEventEnvelope is what every event looks like, in a webhook body and
 * in GET /api/v1/events alike.
 */
export interface WebhookEventEnvelope<T extends string, D> {
  object: "event";
  /** The event's id (evt_...): the same on every retry, and equal to the webhook-id header. */
  id: string;
  type: T;
  /** When the change committed, in Unix milliseconds. */
  timestamp: number;
  instance_id: string;
  data: D;
  /**
   * Numbers the events of one object (user or session): its Nth event has
   * sequence N. Drop an event whose sequence is not above the last one
   * applied for that object: it is a retry, or older than what you have.
   */
  sequence: number;
}

/** BackendSession is a session as the Backend API returns it. */
export interface BackendSession {
  object: "session";
  id: string;
  user_id: string;
  client_id: string;
  status: "active" | "ended" | "revoked" | "expired" | "removed";
  ip_address: string;
  user_agent: string;
  last_active_at: number;
  expire_at: number;
  abandon_at: number | null;
  ended_at: number | null;
  created_at: number;
  updated_at: number;
}

/** DeletedUser is the data of user.deleted, as DELETE /api/v1/users/{id} answers. */
export interface DeletedUser {
  object: "user";
  id: string;
  deleted: true;
}

/**
 * BackendEmail is the data of email.created, shaped like Clerk's email
 * object. body is the HTML, body_plain the text; data holds the values the
 * mail was rendered from (code, link, expires_in_minutes, ...).
 */
export interface BackendEmail {
  object: "email";
  id: string;
  slug: string;
  from_email_name: string;
  from_email_address: string;
  to_email_address: string;
  reply_to_email_address: string | null;
  subject: string;
  body: string;
  body_plain: string;
  status: string;
  data: Record<string, string>;
  /** false when the instance's mail.delivery is "app": this event is the only delivery, and your app sends the mail. */
  delivered_by_latchkey: boolean;
  /** true when Latchkey delivers the mail: its codes and links are replaced by "[redacted]" in subject, body, body_plain and data. */
  redacted: boolean;
  created_at: number;
}

/** WebhookTestData is the data of webhook.test. */
export interface WebhookTestData {
  object: "webhook_test";
  endpoint_id: string;
  message: string;
}

export type UserCreatedEvent = WebhookEventEnvelope<"user.created", BackendUser>;
export type UserUpdatedEvent = WebhookEventEnvelope<"user.updated", BackendUser>;
export type UserDeletedEvent = WebhookEventEnvelope<"user.deleted", DeletedUser>;
export type SessionCreatedEvent = WebhookEventEnvelope<"session.created", BackendSession>;
export type SessionEndedEvent = WebhookEventEnvelope<"session.ended", BackendSession>;
export type SessionRevokedEvent = WebhookEventEnvelope<"session.revoked", BackendSession>;
export type SessionRemovedEvent = WebhookEventEnvelope<"session.removed", BackendSession>;
/** EmailCreatedEvent carries a mail Latchkey sent, for an app that delivers its own. */
export type EmailCreatedEvent = WebhookEventEnvelope<"email.created", BackendEmail>;
/** WebhookTestEvent is what "send test event" on an endpoint delivers. */
export type WebhookTestEvent = WebhookEventEnvelope<"webhook.test", WebhookTestData>;

/**
 * UnknownWebhookEvent is an event of a type this version of the package does
 * not know (a newer server): verifyWebhook returns it as it came rather than
 * failing. It is not a member of WebhookEvent, where a `type: string` member
 * would stop `switch (event.type)` from narrowing `data`; such an event
 * reaches the `default` branch of that switch.
 */
export type UnknownWebhookEvent = WebhookEventEnvelope<string, Record<string, unknown>>;

/** WebhookEvent is a verified event, discriminated by `type`. */
export type WebhookEvent =
  | UserCreatedEvent
  | UserUpdatedEvent
  | UserDeletedEvent
  | SessionCreatedEvent
  | SessionEndedEvent
  | SessionRevokedEvent
  | SessionRemovedEvent
  | EmailCreatedEvent
  | WebhookTestEvent;

/**
 * verifyWebhook checks a webhook request from Latchkey (Standard Webhooks:
 * an HMAC-SHA256 signature of "id.timestamp.body" in webhook-signature, a
 * webhook-timestamp within 5 minutes of now) and returns its event. It
 * reads the body, so pass the request untouched.
 *
 * secret is the endpoint's signing secret (whsec_...), by default
 * LATCHKEY_WEBHOOK_SECRET. Pass several to rotate on the receiving side: a
 * signature made with any of them verifies. (During a rotation on the
 * server, Latchkey signs with both secrets, so one secret is enough.)
 *
 * Deliveries are at least once: a retry carries the same id and sequence, so
 * apply an event only if its sequence is above the last one applied for its
 * object. Throws a WebhookVerificationError; answer 400 to it.
 */
export async function verifyWebhook(request: Request, secret?: string | readonly string[]): Promise<WebhookEvent> {
  const webhooks = webhooksFor(secret ?? environmentSecret());
  const id = request.headers.get("webhook-id") ?? "";
  const timestamp = request.headers.get("webhook-timestamp") ?? "";
  // Two webhook-signature lines arrive joined by ", ", which the library
  // reads as well as the specification's single space.
  const signature = (request.headers.get("webhook-signature") ?? "").trim();
  if (id === "" || timestamp === "" || signature === "") {
    throw new WebhookVerificationError("missing_headers", "Latchkey: webhook-id, webhook-timestamp or webhook-signature is missing");
  }
  // The library would read "12abc" as 12.
  if (!/^[0-9]{1,12}$/.test(timestamp)) {
    throw new WebhookVerificationError("missing_headers", "Latchkey: webhook-timestamp is not a number of seconds");
  }

  let body: string;
  try {
    body = await request.text();
  } catch (cause) {
    throw new WebhookVerificationError("invalid_payload", "Latchkey: the webhook body could not be read", { cause });
  }

  const headers = { "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": signature };
  let verified = false;
  for (const webhook of webhooks) {
    try {
      webhook.verify(body, headers, { jsonParse: false });
      verified = true;
      break;
    } catch (cause) {
      // The timestamp is checked before any signature, the same way for
      // every secret. The library tells its failures apart only by message,
      // which is why its version is pinned (the tests cover each one).
      if (cause instanceof Error && /^Message timestamp too (old|new)$/.test(cause.message)) {
        throw new WebhookVerificationError("timestamp_out_of_range", "Latchkey: webhook-timestamp is more than 5 minutes from this server's clock", {
          cause,
        });
      }
    }
  }
  if (!verified) {
    throw new WebhookVerificationError("invalid_signature", "Latchkey: no webhook signature matches the webhook secret");
  }

  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (cause) {
    throw new WebhookVerificationError("invalid_payload", "Latchkey: the webhook body is not JSON", { cause });
  }
  const problem = envelopeProblem(value);
  if (problem !== null) throw new WebhookVerificationError("invalid_payload", `Latchkey: the webhook body is not a Latchkey event: ${problem}`);
  if ((value as { id: string }).id !== id) {
    throw new WebhookVerificationError("invalid_payload", "Latchkey: the webhook body's id is not the webhook-id header");
  }
  return value as WebhookEvent;
}

function environmentSecret(): string | undefined {
  return typeof process === "undefined" || process.env === undefined ? undefined : process.env.LATCHKEY_WEBHOOK_SECRET;
}

/** webhooksFor makes one verifier per secret, failing on the first unusable one: a configuration mistake. */
function webhooksFor(secret: string | readonly string[] | undefined): Webhook[] {
  const secrets = (typeof secret === "string" ? [secret] : (secret ?? [])).map((s) => s.trim()).filter((s) => s !== "");
  if (secrets.length === 0) {
    throw new WebhookVerificationError(
      "missing_secret",
      "Latchkey: verifyWebhook() needs LATCHKEY_WEBHOOK_SECRET (or a secret argument), the endpoint's signing secret (whsec_...) returned when the endpoint was created",
    );
  }
  return secrets.map((s) => {
    try {
      return new Webhook(s);
    } catch (cause) {
      // The library's message is safe, but say nothing of the value anyway.
      throw new WebhookVerificationError("missing_secret", "Latchkey: a webhook secret is not a whsec_ secret (whsec_ and base64)", { cause });
    }
  });
}

/** envelopeProblem says what makes value not an event, or returns null. */
function envelopeProblem(value: unknown): string | null {
  if (!isObject(value)) return "not a JSON object";
  if (value.object !== "event") return 'object is not "event"';
  for (const name of ["id", "type", "instance_id"] as const) {
    if (typeof value[name] !== "string" || value[name] === "") return `${name} is not a string`;
  }
  for (const name of ["timestamp", "sequence"] as const) {
    const n = value[name];
    if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) return `${name} is not a whole number`;
  }
  const data = value.data;
  if (!isObject(data)) return "data is not an object";
  // Known types are checked as far as a receiver relies on them (which
  // object, and its id), so a handler can use data.id without looking.
  const object = DATA_OBJECT.get(value.type as string);
  if (object !== undefined) {
    if (data.object !== object || typeof data.id !== "string") return `data is not a ${object}`;
    if (value.type === "user.deleted" && data.deleted !== true) return "data is not a deleted user";
  }
  return null;
}

/** DATA_OBJECT is the object that the data of each user and session event is. */
const DATA_OBJECT = new Map<string, "user" | "session">([
  ["user.created", "user"],
  ["user.updated", "user"],
  ["user.deleted", "user"],
  ["session.created", "session"],
  ["session.ended", "session"],
  ["session.revoked", "session"],
  ["session.removed", "session"],
]);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
