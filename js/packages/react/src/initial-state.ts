import type { InitialState, LatchkeyState } from "@latchkey/js";

/**
 * stateFromInitial is the state a server render shows: what the server knew
 * about the request. The browser's first render uses the same snapshot, so
 * hydration matches, then moves to the client's own state.
 */
export function stateFromInitial(initial: InitialState): LatchkeyState {
  return {
    loaded: true,
    environment: null,
    client: null,
    session: null,
    user: initial.user,
    sessions: [],
    isSignedIn: initial.userId !== null,
    userId: initial.userId,
    sessionId: initial.sessionId,
    claims: initial.claims ?? null,
  };
}
