/**
 * LatchkeyNextError is thrown for a configuration mistake (a missing secret
 * key, an unusable URL or key) or a failed Backend API call. Authentication
 * itself never throws: a bad token is a signed-out request with a reason.
 *
 * `code` is stable:
 * - "config_invalid": an option or environment variable has an unusable value;
 * - "key_source_missing": no LATCHKEY_JWKS_URL, LATCHKEY_API_URL or LATCHKEY_PUBLIC_KEY;
 * - "public_key_invalid": LATCHKEY_PUBLIC_KEY is not a PEM ES256 (P-256) public key;
 * - "secret_key_missing": currentUser() needs LATCHKEY_SECRET_KEY;
 * - "api_url_missing": currentUser() needs LATCHKEY_API_URL;
 * - "backend_api_unreachable": the Backend API could not be reached;
 * - "backend_api_error": the Backend API answered an error (see `status` and `apiCode`).
 */
export class LatchkeyNextError extends Error {
  readonly code: LatchkeyNextErrorCode;
  /** The HTTP status of a Backend API answer, else undefined. */
  readonly status: number | undefined;
  /** The Backend API's own error code (e.g. "unauthenticated"), if it sent one. */
  readonly apiCode: string | undefined;
  /** The Backend API's trace id, to find the request in the server's logs. */
  readonly traceId: string | undefined;

  constructor(
    code: LatchkeyNextErrorCode,
    message: string,
    init: { status?: number; apiCode?: string; traceId?: string; cause?: unknown } = {},
  ) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "LatchkeyNextError";
    this.code = code;
    this.status = init.status;
    this.apiCode = init.apiCode;
    this.traceId = init.traceId;
  }
}

export type LatchkeyNextErrorCode =
  | "config_invalid"
  | "key_source_missing"
  | "public_key_invalid"
  | "secret_key_missing"
  | "api_url_missing"
  | "backend_api_unreachable"
  | "backend_api_error";

/** isLatchkeyNextError reports whether e is a LatchkeyNextError. */
export function isLatchkeyNextError(e: unknown): e is LatchkeyNextError {
  return e instanceof LatchkeyNextError;
}
