import { vi } from "vitest";

const NAMES = [
  "LATCHKEY_API_URL",
  "LATCHKEY_SECRET_KEY",
  "LATCHKEY_ISSUER",
  "LATCHKEY_JWKS_URL",
  "LATCHKEY_PUBLIC_KEY",
  "LATCHKEY_AUTHORIZED_PARTIES",
  "LATCHKEY_DEBUG",
  "NEXT_PUBLIC_LATCHKEY_FRONTEND_API",
  "NEXT_PUBLIC_LATCHKEY_SIGN_IN_URL",
];

/** clearLatchkeyEnv blanks every variable the package reads (empty counts as unset), so the machine's environment cannot leak into a test. */
export function clearLatchkeyEnv(): void {
  for (const name of NAMES) vi.stubEnv(name, "");
}
