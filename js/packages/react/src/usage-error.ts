// Mistakes in how the package is used (a hook outside its provider, a
// localization of the wrong shape) throw a UsageError with a stable code, so
// the message can change without breaking anyone's error handling.

/** UsageErrorCode lists the codes a UsageError can carry. */
export type UsageErrorCode =
  | "provider_missing"
  | "sign_in_root_missing"
  | "sign_up_root_missing"
  | "form_root_missing"
  | "field_missing"
  | "localization_invalid"
  | "appearance_invalid";

/** UsageError is thrown when the package is used in a way it does not support. */
export class UsageError extends Error {
  readonly code: UsageErrorCode;
  constructor(code: UsageErrorCode, message: string) {
    super(`@latchkey/react: ${message}`);
    this.name = "UsageError";
    this.code = code;
  }
}
