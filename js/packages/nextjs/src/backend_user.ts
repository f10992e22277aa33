// GET /api/v1/users/{id} of the Backend API, with the secret key.

import type { User } from "@latchkey/js";
import { LatchkeyNextError } from "./errors";
import { apiUrlOf, type LatchkeyEnvironment, type LatchkeyServerOptions } from "./options";

/** BackendUser is a user as the Backend API returns it: the Frontend API's user plus private_metadata. */
export type BackendUser = User & { private_metadata: Record<string, unknown> };

/** The Backend API's address and key. */
export interface BackendConfig {
  apiUrl: string;
  secretKey: string;
}

/** backendConfigOf resolves LATCHKEY_API_URL and LATCHKEY_SECRET_KEY, with a clear error for each one missing. */
export function backendConfigOf(opts: LatchkeyServerOptions, env: LatchkeyEnvironment): BackendConfig {
  const secretKey = opts.secretKey ?? env.LATCHKEY_SECRET_KEY;
  if (secretKey === undefined || secretKey === "") {
    throw new LatchkeyNextError(
      "secret_key_missing",
      "Latchkey: currentUser() needs LATCHKEY_SECRET_KEY, the Backend API secret key (sk_...); `latchkey dev` writes one to <data-dir>/dev-keys.json as \"secret_key\"",
    );
  }
  const apiUrl = apiUrlOf(opts, env);
  if (apiUrl === undefined) {
    throw new LatchkeyNextError(
      "api_url_missing",
      "Latchkey: currentUser() needs LATCHKEY_API_URL, where this server reaches Latchkey directly (e.g. http://127.0.0.1:8080)",
    );
  }
  return { apiUrl, secretKey };
}

const inFlight = new Map<string, Promise<BackendUser | null>>();

/**
 * fetchUser returns the user, or null when the Backend API does not know
 * it (deleted since the token was minted). Concurrent calls for the same
 * user (a layout and a page rendering together) share one request; nothing
 * is kept once it answered, so a changed profile shows at once.
 */
export function fetchUser(userId: string, config: BackendConfig): Promise<BackendUser | null> {
  const key = `${config.apiUrl}\n${config.secretKey}\n${userId}`;
  let pending = inFlight.get(key);
  if (pending === undefined) {
    pending = requestUser(userId, config).finally(() => inFlight.delete(key));
    inFlight.set(key, pending);
  }
  return pending;
}

async function requestUser(userId: string, config: BackendConfig): Promise<BackendUser | null> {
  let response: Response;
  try {
    response = await fetch(`${config.apiUrl}/api/v1/users/${encodeURIComponent(userId)}`, {
      headers: { Authorization: `Bearer ${config.secretKey}`, Accept: "application/json" },
      cache: "no-store",
    });
  } catch (cause) {
    throw new LatchkeyNextError("backend_api_unreachable", `Latchkey: the Backend API at ${config.apiUrl} could not be reached`, {
      cause,
    });
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = apiError(response, body);
    // A deleted user; any other 404 (route_not_found: a wrong LATCHKEY_API_URL) is an error.
    if (error.apiCode === "resource_not_found") return null;
    throw error;
  }
  if (!isUser(body)) {
    throw new LatchkeyNextError("backend_api_error", `Latchkey: the Backend API answered ${response.status} without a user`, {
      status: response.status,
    });
  }
  return body;
}

function isUser(body: unknown): body is BackendUser {
  return typeof body === "object" && body !== null && (body as { object?: unknown }).object === "user" && typeof (body as { id?: unknown }).id === "string";
}

function apiError(response: Response, body: unknown): LatchkeyNextError {
  const wire = body as { errors?: { code?: unknown; message?: unknown }[]; trace_id?: unknown } | null;
  const first = Array.isArray(wire?.errors) ? wire.errors[0] : undefined;
  const apiCode = typeof first?.code === "string" ? first.code : undefined;
  const message = typeof first?.message === "string" ? first.message : response.statusText;
  const traceId = typeof wire?.trace_id === "string" ? wire.trace_id : undefined;
  return new LatchkeyNextError(
    "backend_api_error",
    `Latchkey: the Backend API answered ${response.status}${apiCode ? ` ${apiCode}` : ""}: ${message}`,
    { status: response.status, apiCode, traceId },
  );
}

/** toFrontendUser drops private_metadata, which must never reach a browser. */
export function toFrontendUser(user: BackendUser | User): User {
  const { private_metadata: _private, ...rest } = user as BackendUser;
  return rest;
}
