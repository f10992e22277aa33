import { useEffect, useRef } from "react";
import { useLatchkeyContext } from "../../context";
import { currentPage, destination, type RedirectOptions } from "./destination";

/** CompleteEvent is given to a drop-in's onComplete. */
export interface CompleteEvent {
  /** The new session (null when the browser was already signed in). */
  sessionId: string | null;
  /** Where the drop-in would have navigated. */
  redirectUrl: string;
}

/**
 * useCompletion navigates once the flow completed, or at once when someone
 * is already signed in and the instance allows one session per browser (a
 * page-mode sign-in there could only fail). onComplete replaces navigation.
 * A modal falls back to reloading the current page, so server-rendered
 * parts see the new session. Before navigating it mints a session token,
 * whose answer refreshes the __lk_session cookie the next page is rendered
 * with.
 */
export function useCompletion(options: RedirectOptions & { complete: boolean; sessionId: string | null; modal: boolean; onComplete?: ((event: CompleteEvent) => void) | undefined }) {
  const { client, state } = useLatchkeyContext();
  const alreadySignedIn = !options.modal && state.isSignedIn && state.environment !== null && !state.environment.session.multi_session;
  const done = options.complete || alreadySignedIn;
  const fired = useRef(false);
  const latest = useRef(options);
  latest.current = options;
  useEffect(() => {
    if (!done || fired.current) return;
    fired.current = true;
    const { onComplete, modal, sessionId } = latest.current;
    const url = destination(latest.current, modal ? currentPage() : "/");
    if (onComplete) {
      onComplete({ sessionId: sessionId ?? null, redirectUrl: url });
      return;
    }
    // Mint a token first: its answer sets a fresh __lk_session cookie, so the
    // server rendering the next page sees the session instead of bouncing
    // back here (a browser arriving with a stale or tampered cookie).
    client
      .getToken()
      .catch(() => null)
      .then(() => window.location.assign(url));
  }, [done, client]);
}
