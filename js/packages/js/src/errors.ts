import type { ApiErrorItem } from "./resources";

/**
 * An error from the Frontend API (or from reaching it). `code` is the stable
 * code of the server's catalog (error.go), or "network_error" when the server
 * could not be reached and "response_invalid" when it answered something that
 * is not the API's JSON. Errors the client raises itself (a flow's check of an
 * empty field, say) have `status` 0; a flow reports an exception that is not
 * a LatchkeyError as "unexpected_error".
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

/**
 * clientError is a LatchkeyError raised by the client itself (status 0): a
 * flow's check of its own fields before any request, or a state the flow
 * cannot act from. Codes are the server's where one fits.
 */
export function clientError(code: string, message: string, paramName?: string): LatchkeyError {
  return new LatchkeyError({ code, message, paramName, status: 0 });
}
