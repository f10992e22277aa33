import { auth } from "./auth";
import { backendConfigOf, fetchUser, type BackendUser } from "./backend_user";
import { readEnvironment, type LatchkeyServerOptions } from "./options";

/**
 * currentUser returns the signed-in user from the Backend API
 * (GET /api/v1/users/{id} with LATCHKEY_SECRET_KEY), or null when signed
 * out or when the user no longer exists. The result includes
 * private_metadata: keep it on the server. It throws a LatchkeyNextError:
 * "secret_key_missing" or "api_url_missing" when signed in without the
 * configuration, "backend_api_unreachable" or "backend_api_error" when the
 * call fails.
 */
export async function currentUser(options: LatchkeyServerOptions = {}): Promise<BackendUser | null> {
  const a = await auth(options);
  if (a.userId === null) return null;
  return fetchUser(a.userId, backendConfigOf(options, readEnvironment()));
}
