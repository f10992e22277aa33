import { createRouteMatcher, latchkeyMiddleware } from "@latchkey/nextjs/server";

// proxy.ts runs before every matched request (Next.js 16, Node runtime; the
// same export works as middleware.ts on the Edge runtime). Signed-out visits
// to a protected route go to /sign-in?redirect_url=..., and a page load whose
// session token has expired goes once through the handshake at
// /__latchkey/v1/client/handshake, which refreshes the cookies and comes back.
export default latchkeyMiddleware({
  protectedRoutes: createRouteMatcher(["/dashboard(.*)", "/account(.*)"]),
});

export const config = {
  // Everything but Next.js's own assets and the /__latchkey rewrite: the
  // handshake itself must never be sent to the handshake.
  matcher: ["/((?!__latchkey|_next/static|_next/image|favicon\\.ico).*)"],
};
