// latchkeyMiddleware: one function that works as Next 16's proxy.ts (Node)
// and as middleware.ts (Edge). Web APIs, jose and next/server only.

import type { NextRequest, NextResponse } from "next/server";
import { authenticate, type AuthState } from "./authenticate";
import {
  checkRedirectTarget,
  debugOf,
  frontendApiOf,
  isAbsoluteHttpUrl,
  readEnvironment,
  signInRedirect,
  signInUrlOf,
  type LatchkeyServerOptions,
} from "./options";
import {
  AUTH_REASON_HEADER,
  AUTH_STATUS_HEADER,
  documentRequest,
  handshakeEligible,
  handshakeParam,
  requestUrl,
  withHandshakeParam,
} from "./request";
import { REQUEST_URL_HEADER } from "./middleware_header";
import { resolveVerifier } from "./resolve_verifier";
import { createRouteMatcher, pathnameOf, type RouteMatcher, type RoutePatterns } from "./route_matcher";

/** Options of latchkeyMiddleware. Each verification option overrides its environment variable. */
export interface LatchkeyMiddlewareOptions extends Omit<LatchkeyServerOptions, "secretKey"> {
  /**
   * Routes that need a signed-in user: patterns ("/dashboard(.*)") or a
   * createRouteMatcher() function. Signed-out page loads are redirected to
   * signInUrl?redirect_url=<this page>; other requests get 401 JSON.
   */
  protectedRoutes?: RoutePatterns | RouteMatcher;
  /**
   * Routes that never need a signed-in user. With publicRoutes and no
   * protectedRoutes, every other route is protected. The sign-in page and
   * the Frontend API path are always public.
   */
  publicRoutes?: RoutePatterns | RouteMatcher;
  /**
   * Adds Latchkey-Auth-Reason and Latchkey-Auth-Status to every response
   * (LATCHKEY_DEBUG=1). Reasons are not secrets, but they tell a prober more
   * than it needs, so this is off by default.
   */
  debug?: boolean;
}


/**
 * latchkeyMiddleware returns the Next.js middleware: it authenticates every
 * request it sees and
 * - sends a page load (GET or HEAD document) of a signed-in client whose
 *   token is missing, expired or stale through the handshake
 *   (303 to <frontendApi>/v1/client/handshake?redirect_url=<this URL with
 *   __lk_hs=1>), once: a request back from the handshake without a usable
 *   token is signed out ("handshake-loop"), and one back with a fresh token
 *   is sent on to its URL without __lk_hs;
 * - turns signed-out requests to protected routes away (303 to the sign-in
 *   page with redirect_url for page loads, 401 JSON otherwise);
 * - lets everything else through. A malformed or forged token is simply
 *   signed out, never an error page.
 *
 * Requests under the Frontend API path (default /__latchkey) pass untouched.
 * It throws a LatchkeyNextError ("config_invalid") at once for a bad
 * option, and on a request for a missing or bad environment setting.
 */
export function latchkeyMiddleware(options: LatchkeyMiddlewareOptions = {}): (request: NextRequest) => Promise<NextResponse> {
  const protectedRoute = toMatcher(options.protectedRoutes);
  const publicRoute = toMatcher(options.publicRoutes);
  if (options.signInUrl !== undefined) checkRedirectTarget("the signInUrl option", options.signInUrl);
  if (options.frontendApi !== undefined) checkRedirectTarget("the frontendApi option", options.frontendApi);

  return async function latchkey(request: NextRequest): Promise<NextResponse> {
    const { NextResponse: responses } = await nextServer();
    const env = readEnvironment();
    const frontendApi = frontendApiOf(options, env);
    const path = pathnameOf(request);
    if (!isAbsoluteHttpUrl(frontendApi) && underPath(path, frontendApi)) return responses.next();

    const url = requestUrl(request.url, request.headers);
    const signInUrl = signInUrlOf(options, env);
    const a = await authenticate(
      { headers: request.headers, method: request.method, handshakeParam: handshakeParam(url) },
      resolveVerifier(options, env, url.origin),
    );
    const debug = debugOf(options.debug, env);

    if (a.handshake) {
      const back = withHandshakeParam(url, true);
      return redirect(responses, `${frontendApi}/v1/client/handshake?redirect_url=${encodeURIComponent(back)}`, url, a, debug);
    }
    if (a.isSignedIn && handshakeParam(url) !== null && handshakeEligible(request.method, request.headers)) {
      // Back from a handshake with a fresh token: drop the loop guard from the
      // address bar, so a later reload of this page can use the handshake again.
      return redirect(responses, withHandshakeParam(url, false), url, a, debug);
    }
    if (!a.isSignedIn && isProtected(request, path, signInUrl, url, protectedRoute, publicRoute)) {
      if (documentRequest(request.headers)) {
        // The loop guard has done its job; after signing in, the page should
        // be able to use the handshake again.
        const back = withHandshakeParam(url, false);
        return redirect(responses, signInRedirect(signInUrl, back), url, a, debug);
      }
      return unauthenticated(responses, a, debug);
    }
    const headers = new Headers(request.headers);
    headers.set(REQUEST_URL_HEADER, withHandshakeParam(url, false));
    const response = responses.next({ request: { headers } });
    if (debug) setDebugHeaders(response, a);
    return response;
  };
}

type NextResponseClass = typeof import("next/server").NextResponse;

let loadedNextServer: Promise<typeof import("next/server")> | undefined;

/**
 * nextServer loads next/server on the first request rather than at import,
 * so "@latchkey/nextjs/server" also imports in plain Node (for verifyToken),
 * where "next/server" does not resolve: the next package has no exports map.
 */
function nextServer() {
  loadedNextServer ??= import("next/server");
  return loadedNextServer;
}

function toMatcher(routes: RoutePatterns | RouteMatcher | undefined): RouteMatcher | undefined {
  if (routes === undefined) return undefined;
  return typeof routes === "function" ? routes : createRouteMatcher(routes);
}

function isProtected(
  request: NextRequest,
  path: string,
  signInUrl: string,
  url: URL,
  protectedRoute: RouteMatcher | undefined,
  publicRoute: RouteMatcher | undefined,
): boolean {
  const signIn = new URL(signInUrl, url);
  if (signIn.origin === url.origin && underPath(path, signIn.pathname.replace(/\/+$/, ""))) return false;
  if (publicRoute?.(request)) return false;
  if (protectedRoute !== undefined) return protectedRoute(request);
  return publicRoute !== undefined;
}

/** underPath reports whether path is base or below it. */
function underPath(path: string, base: string): boolean {
  if (base === "") return true;
  return path === base || path.startsWith(`${base}/`);
}

function status(a: AuthState): "signed-in" | "signed-out" | "handshake" {
  if (a.isSignedIn) return "signed-in";
  return a.handshake ? "handshake" : "signed-out";
}

function setDebugHeaders(response: Response, a: AuthState): void {
  response.headers.set(AUTH_REASON_HEADER, a.reason);
  response.headers.set(AUTH_STATUS_HEADER, status(a));
}

function redirect(responses: NextResponseClass, location: string, base: URL, a: AuthState, debug: boolean): NextResponse {
  const response = responses.redirect(new URL(location, base), 303);
  // The target depends on cookies and headers; no shared cache may keep it.
  response.headers.set("Cache-Control", "no-store");
  if (debug) setDebugHeaders(response, a);
  return response;
}

/** unauthenticated answers a signed-out request that is not a page load, as the Go SDK's RequireSession does. */
function unauthenticated(responses: NextResponseClass, a: AuthState, debug: boolean): NextResponse {
  const error: Record<string, unknown> = {
    code: "unauthenticated",
    message: "You are not signed in.",
    long_message:
      "This request needs a signed-in session: the __lk_session cookie or an Authorization: Bearer header with a valid session token.",
  };
  if (debug) error.meta = { reason: a.reason };
  const response = responses.json(
    { errors: [error] },
    { status: 401, headers: { "Cache-Control": "no-store", "WWW-Authenticate": 'Bearer realm="latchkey"' } },
  );
  if (debug) setDebugHeaders(response, a);
  return response;
}
