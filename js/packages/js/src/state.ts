import type { InitialState, LatchkeyState } from "./types";
import type { Client, Environment } from "./resources";

/** What a LatchkeyState is computed from. */
export interface StateInputs {
  environment: Environment | null;
  /** undefined until the client was read once; null: the browser has none. */
  client: Client | null | undefined;
  initial: InitialState | null;
  /** Claims of the latest token, and the session they belong to. */
  claims: { sessionId: string; value: Record<string, unknown> } | null;
}

/**
 * buildState is the snapshot of inputs. Until the client has been read, a
 * server-provided initial state stands in for it (the same snapshot the
 * server rendered, so hydration matches); after that the client decides.
 */
export function buildState({ environment, client, initial, claims }: StateInputs): LatchkeyState {
  const loaded = (environment !== null && client !== undefined) || initial !== null;
  if (client === undefined) {
    return {
      loaded,
      environment,
      client: null,
      session: null,
      user: initial?.user ?? null,
      sessions: [],
      isSignedIn: initial !== null && initial.userId !== null,
      userId: initial?.userId ?? null,
      sessionId: initial?.sessionId ?? null,
      claims: claims && claims.sessionId === initial?.sessionId ? claims.value : null,
    };
  }
  const session = client?.sessions.find((s) => s.id === client.last_active_session_id) ?? null;
  return {
    loaded,
    environment,
    client,
    session,
    user: session?.user ?? null,
    sessions: client?.sessions ?? [],
    isSignedIn: session !== null,
    userId: session?.user?.id ?? null,
    sessionId: session?.id ?? null,
    claims: session && claims?.sessionId === session.id ? claims.value : null,
  };
}

/** activeSessionId is the client's usable active session, or null. */
export function activeSessionId(client: Client | null | undefined): string | null {
  const id = client?.last_active_session_id;
  return id && client.sessions.some((s) => s.id === id) ? id : null;
}

/**
 * signatureOf changes exactly when other tabs must hear about the client:
 * a sign-in or sign-out, an account switch, or a change to a signed-in user.
 */
export function signatureOf(client: Client | null | undefined): string {
  return JSON.stringify([activeSessionId(client), client?.sessions.map((s) => [s.id, s.user]) ?? []]);
}

/** Claims that change with every token and say nothing about authorization. */
const TIME_CLAIMS = new Set(["iat", "nbf", "exp", "jti", "fva"]);

/** sameClaims compares claims without the ones every refresh changes. */
export function sameClaims(a: Record<string, unknown> | null, b: Record<string, unknown> | null): boolean {
  const key = (c: Record<string, unknown> | null) =>
    c && JSON.stringify(Object.entries(c).filter(([k]) => !TIME_CLAIMS.has(k)).sort(([x], [y]) => (x < y ? -1 : 1)));
  return key(a) === key(b);
}
