// Control components: render children depending on who is signed in. They
// render nothing until the client knows (at once when the server gave
// initialState), so signed-out content never flashes for a signed-in user.

import { useEffect, type ReactNode } from "react";
import type { AuthorizationCheck } from "@latchkey/js";
import { useLatchkeyContext } from "./context";
import { useAuth } from "./hooks";

/** SignedIn renders its children only when someone is signed in. */
export function SignedIn({ children }: { children?: ReactNode }) {
  const { state } = useLatchkeyContext();
  return state.loaded && state.isSignedIn ? <>{children}</> : null;
}

/** SignedOut renders its children only when no one is signed in. */
export function SignedOut({ children }: { children?: ReactNode }) {
  const { state } = useLatchkeyContext();
  return state.loaded && !state.isSignedIn ? <>{children}</> : null;
}

export interface ProtectProps extends AuthorizationCheck {
  /** A check of your own, given the same has() as useAuth(); every check given must pass. */
  condition?: (has: (check: AuthorizationCheck) => boolean) => boolean;
  /** What to render when the checks fail (nothing by default). */
  fallback?: ReactNode;
  children?: ReactNode;
}

/**
 * Protect renders its children when someone is signed in and holds the role
 * and/or permission (and passes condition), else fallback. It hides UI; your
 * server must still check authorization for every request.
 */
export function Protect({ role, permission, condition, fallback = null, children }: ProtectProps) {
  const { isLoaded, has } = useAuth();
  if (!isLoaded) return null;
  const check: AuthorizationCheck = {};
  if (role !== undefined) check.role = role;
  if (permission !== undefined) check.permission = permission;
  // has is false when signed out, so it also requires someone signed in.
  const allowed = has(check) && (condition ? condition(has) : true);
  return <>{allowed ? children : fallback}</>;
}

export interface RedirectToSignInProps {
  /** The sign-in page (default "/sign-in"). */
  signInUrl?: string;
  /** Where to come back to after signing in (default: the current page). */
  redirectUrl?: string;
}

/**
 * RedirectToSignIn sends the browser to the sign-in page, with
 * ?redirect_url= set so <SignIn /> comes back here afterwards.
 */
export function RedirectToSignIn({ signInUrl = "/sign-in", redirectUrl }: RedirectToSignInProps) {
  useEffect(() => {
    window.location.assign(signInUrlWithRedirect(signInUrl, redirectUrl ?? window.location.href));
  }, [signInUrl, redirectUrl]);
  return null;
}

/** signInUrlWithRedirect adds redirect_url to the sign-in URL (keeping its other parameters). */
export function signInUrlWithRedirect(signInUrl: string, redirectUrl: string): string {
  const url = new URL(signInUrl, window.location.href);
  url.searchParams.set("redirect_url", redirectUrl);
  return url.origin === window.location.origin ? url.pathname + url.search + url.hash : url.toString();
}
