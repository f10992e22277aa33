// The server half of the provider: an async server component that knows the
// request's user before anything is sent, and hands it to @latchkey/react's
// client provider, so the server-rendered HTML already shows the user.

import type { ComponentProps } from "react";
import type { InitialState } from "@latchkey/js";
import { LatchkeyProvider as ClientProvider } from "@latchkey/react";
import { auth } from "./auth";
import { backendConfigOf, fetchUser, toFrontendUser } from "./backend_user";
import { frontendApiOf, readEnvironment, type LatchkeyServerOptions } from "./options";

/** Props of the server LatchkeyProvider: those of @latchkey/react's, less what the server fills in. */
export type LatchkeyProviderProps = Omit<ComponentProps<typeof ClientProvider>, "initialState" | "client"> & {
  /** Verification and Backend API options for this render; the environment variables otherwise. */
  options?: LatchkeyServerOptions;
};

/**
 * LatchkeyProvider wraps the app in app/layout.tsx. It reads auth() and,
 * when signed in, the user from the Backend API, and renders
 * @latchkey/react's provider with initialState = { userId, sessionId, user,
 * token, claims } and frontendApi (NEXT_PUBLIC_LATCHKEY_FRONTEND_API,
 * default "/__latchkey"). The user's private_metadata is left out: it must
 * never reach the browser. Configuration errors (no LATCHKEY_SECRET_KEY)
 * are thrown; a Backend API that cannot answer leaves the user to the
 * browser, which loads it itself.
 */
export async function LatchkeyProvider({ options = {}, frontendApi, ...props }: LatchkeyProviderProps) {
  const env = readEnvironment();
  const a = await auth(options);
  const initialState: InitialState = {
    userId: a.userId,
    sessionId: a.sessionId,
    user: null,
    token: await a.getToken(),
    claims: a.claims,
  };
  if (a.userId !== null) {
    const config = backendConfigOf(options, env);
    try {
      const user = await fetchUser(a.userId, config);
      initialState.user = user === null ? null : toFrontendUser(user);
    } catch (error) {
      console.error("@latchkey/nextjs: the user could not be read from the Backend API; the browser will load it", error);
    }
  }
  return <ClientProvider {...props} frontendApi={frontendApi ?? frontendApiOf(options, env)} initialState={initialState} />;
}
