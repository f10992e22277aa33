import type { SessionClaims } from "./claims";
import { readEnvironment, type LatchkeyServerOptions } from "./options";
import { resolveVerifier } from "./resolve_verifier";
import type { Reason } from "./reasons";
import { verifySessionToken } from "./verify";

/**
 * verifyToken verifies one session token with the configured issuer, keys
 * and authorized parties (options, else the environment), for code that
 * gets a token some other way (a WebSocket, a queue message). It gives the
 * same reasons as auth(); the cookie rules (__lk_uat) do not apply. The
 * issuer must be configured (LATCHKEY_ISSUER or the option): there is no
 * request to take the origin from.
 */
export async function verifyToken(
  token: string,
  options: LatchkeyServerOptions = {},
): Promise<{ reason: Reason; claims: SessionClaims | null }> {
  const v = await verifySessionToken(token, resolveVerifier(options, readEnvironment(), null));
  return { reason: v.reason, claims: v.claims };
}
