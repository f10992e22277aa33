import { LatchkeyError } from "./errors";
import type { Clock } from "./clock";
import type { CredentialStore } from "./types";
import type { ApiErrorItem, Client } from "./resources";

/** The header native apps carry the client credential in, both ways. */
const CLIENT_HEADER = "Latchkey-Client";

export interface ApiOptions {
  /** "/__latchkey" or "https://auth.example.com"; "/v1" is added. */
  frontendApi: string;
  fetch: typeof fetch;
  credentialStore: CredentialStore | undefined;
  clock: Clock;
  /** Every envelope's client (null: there is none): the state follows each answer. */
  onClient(client: Client | null): void;
}

export type Method = "GET" | "POST" | "PATCH" | "DELETE";

/** path builds an API path with escaped IDs: path`/client/sign_ins/${id}`. */
export function path(parts: TemplateStringsArray, ...ids: string[]): string {
  return parts.reduce((out, part, i) => out + part + (i < ids.length ? encodeURIComponent(ids[i] ?? "") : ""), "");
}

/**
 * Api is the one place requests to the Frontend API are made: it adds the
 * credential (cookie or header), records the clock skew, unwraps the
 * `{response, client}` envelope and turns every failure into a LatchkeyError.
 */
export class Api {
  readonly base: string;

  constructor(private readonly o: ApiOptions) {
    this.base = o.frontendApi.replace(/\/+$/, "") + "/v1";
  }

  /**
   * request sends one call and resolves with its `response` (or, for the
   * endpoints without an envelope, the whole body). body is sent as JSON,
   * except a FormData or Blob, sent as it is.
   */
  async request<T>(method: Method, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    const raw = (typeof FormData === "function" && body instanceof FormData) || (typeof Blob === "function" && body instanceof Blob);
    if (body !== undefined && !raw) headers["Content-Type"] = "application/json";
    const store = this.o.credentialStore;
    // The first request of a native app sends the header empty, so that even
    // its first credential comes back in the header rather than a cookie.
    if (store) headers[CLIENT_HEADER] = (await store.get()) ?? "";
    const doFetch = this.o.fetch;
    let res: Response;
    try {
      res = await doFetch(this.base + path, {
        method,
        headers,
        body: body === undefined ? undefined : raw ? (body as BodyInit) : JSON.stringify(body),
        credentials: "include",
      });
    } catch (e) {
      throw new LatchkeyError({
        code: "network_error",
        message: "The authentication server could not be reached. Check your connection and try again.",
        longMessage: e instanceof Error ? e.message : undefined,
        status: 0,
      });
    }
    // A rotated credential is stored before anything else: the previous one
    // stops working 10 seconds after a rotation.
    const credential = store && res.headers.get(CLIENT_HEADER);
    if (store && credential) await store.set(credential);
    this.o.clock.observe(res.headers.get("Date"));
    let json: unknown;
    try {
      json = await res.json();
    } catch {
      json = undefined;
    }
    if (!res.ok) throw errorFromResponse(res, json);
    if (json === undefined) throw invalid(res);
    if (isEnvelope(json)) {
      this.o.onClient(json.client);
      return json.response as T;
    }
    return json as T;
  }
}

interface Envelope {
  response: unknown;
  client: Client | null;
}

function isEnvelope(v: unknown): v is Envelope {
  return typeof v === "object" && v !== null && "response" in v && "client" in v;
}

function invalid(res: Response): LatchkeyError {
  return new LatchkeyError({
    code: "response_invalid",
    message: "The authentication server sent an answer that could not be read.",
    status: res.status,
    traceId: res.headers.get("Latchkey-Trace-Id") ?? undefined,
  });
}

/** errorFromResponse parses the API's `{"errors": [...], "trace_id"}` answer. */
export function errorFromResponse(res: Response, json: unknown): LatchkeyError {
  const body = (typeof json === "object" && json !== null ? json : {}) as { errors?: unknown; trace_id?: unknown };
  const items = (Array.isArray(body.errors) ? body.errors : []).filter(
    (e): e is ApiErrorItem => typeof e === "object" && e !== null && typeof e.code === "string" && typeof e.message === "string",
  );
  const first = items[0];
  if (!first) return invalid(res);
  return new LatchkeyError({
    code: first.code,
    message: first.message,
    longMessage: first.long_message,
    paramName: first.meta?.param_name,
    status: res.status,
    traceId: typeof body.trace_id === "string" ? body.trace_id : (res.headers.get("Latchkey-Trace-Id") ?? undefined),
    retryAfter: retryAfter(res.headers.get("Retry-After")),
    errors: items,
  });
}

/** retryAfter reads Retry-After as seconds (a number, or an HTTP date from now). */
function retryAfter(v: string | null): number | undefined {
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}
