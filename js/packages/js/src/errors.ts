import type { ApiErrorItem } from "./resources";

/**
 * An error from the Frontend API (or from reaching it). `code` is the stable
 * code of the server's catalog (error.go), or "network_error" when the server
 * could not be reached and "response_invalid" when it answered something that
 * is not the API's JSON.
 */
export class LatchkeyError extends Error {
  readonly code: string;
  readonly longMessage: string | undefined;
  readonly paramName: string | undefined;
  readonly status: number;
  readonly traceId: string | undefined;
  /** Seconds to wait, from Retry-After (429, 503). */
  readonly retryAfter: number | undefined;
  /** Every error of the response; this error is the first. */
  readonly errors: ApiErrorItem[];

  constructor(init: {
    code: string;
    message: string;
    longMessage?: string;
    paramName?: string;
    status: number;
    traceId?: string;
    retryAfter?: number;
    errors?: ApiErrorItem[];
  }) {
    super(init.message);
    this.name = "LatchkeyError";
    this.code = init.code;
    this.longMessage = init.longMessage;
    this.paramName = init.paramName;
    this.status = init.status;
    this.traceId = init.traceId;
    this.retryAfter = init.retryAfter;
    this.errors = init.errors ?? [
      { code: init.code, message: init.message, long_message: init.longMessage, meta: init.paramName ? { param_name: init.paramName } : undefined },
    ];
  }
}

export function isLatchkeyError(e: unknown): e is LatchkeyError {
  return e instanceof LatchkeyError;
}
