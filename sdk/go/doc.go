// Package latchkey is the Go SDK of Latchkey, the self-hosted authentication
// server: it tells a net/http server, in microseconds and without calling
// Latchkey, who is signed in, and it calls the Backend API. It uses the
// standard library only.
//
// # Protecting an app
//
// Copy, then set the three URLs:
//
//	package main
//
//	import (
//		"fmt"
//		"log"
//		"net/http"
//
//		latchkey "github.com/latchkeyhq/latchkey/sdk/go"
//	)
//
//	func main() {
//		v, err := latchkey.NewVerifier(latchkey.Options{
//			Issuer:            "https://auth.example.com",
//			JWKSURL:           "https://auth.example.com/.well-known/jwks.json",
//			AuthorizedParties: []string{"https://app.example.com"},
//		})
//		if err != nil {
//			log.Fatal(err)
//		}
//		opts := latchkey.MiddlewareOptions{
//			FrontendAPIURL: "https://app.example.com/__latchkey/v1",
//			SignInURL:      "https://app.example.com/sign-in",
//		}
//		mux := http.NewServeMux()
//		mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
//			auth := latchkey.AuthFromContext(r.Context())
//			if auth.SignedIn {
//				fmt.Fprintf(w, "hello %s\n", auth.UserID)
//			} else {
//				fmt.Fprintln(w, "hello, stranger")
//			}
//		})
//		mux.Handle("/dashboard/", latchkey.RequireSession(v, opts)(http.HandlerFunc(
//			func(w http.ResponseWriter, r *http.Request) {
//				fmt.Fprintf(w, "dashboard of %s\n", latchkey.AuthFromContext(r.Context()).UserID)
//			})))
//		log.Fatal(http.ListenAndServe(":3000", latchkey.Middleware(v, opts)(mux)))
//	}
//
// Middleware authenticates every request and puts an Auth in its context;
// RequireSession also turns signed-out requests away (a redirect to the
// sign-in page for page loads, 401 JSON for everything else). Set
// MiddlewareOptions.Debug to see each decision in a Latchkey-Auth-Reason
// response header and in the log.
//
// # The token contract
//
// This is what the Latchkey server promises and what this package checks.
//
// A session token is a JWS compact JWT with the header
// {"alg":"ES256","kid":"kid_...","typ":"JWT"}, signed with ECDSA P-256 and
// SHA-256; the signature is the 64-byte r||s of RFC 7518 §3.4. The public
// keys are served as a JWKS at <server>/.well-known/jwks.json: EC P-256
// keys with kid, "alg":"ES256", "use":"sig", and base64url x and y. Keys
// rotate, and the next key is published before it signs, so a verifier
// that meets an unknown kid refetches the JWKS, at most once per cooldown
// (30 s by default), and tries again.
//
// Only ES256 is accepted, decided from the header before any key is
// chosen: "none", HS256 (including an HMAC keyed with the public key's
// bytes), RS256 and every other algorithm are refused with
// ReasonAlgNotAllowed. Keys come only from Options, never from the token
// (jku, jwk, x5u and x5c are ignored); a crit header is refused.
//
// The claims: iss (the server's public URL, e.g. https://auth.example.com,
// compared exactly), sub (the user id, user_...), sid (the session id,
// sess_...), azp (the origin that asked for the token, e.g.
// https://app.example.com; absent when a server minted it), iat, nbf and
// exp (Unix seconds; a token lives 60 seconds by default), jti, v (claims
// version, 1), fva ([minutes since the first factor, minutes since the
// second factor or -1]), optionally o (the active organization) and act
// (impersonation), and any custom claims of the instance's token template
// (Claims.Custom). exp, iat and sub are required. A claim that appears twice
// or has the wrong JSON type makes the token malformed: a token means the
// same thing to every reader. Tokens longer than 8 KiB are not decoded.
//
// Time checks allow a leeway for clock skew (5 s by default): a token is
// expired once now >= exp + leeway, and not active yet while now < max(iat,
// nbf) - leeway. Issuer and azp are checked before time, so
// ReasonExpired always describes a token that would otherwise be valid.
//
// azp: when Options.AuthorizedParties is not empty, a present azp must be
// one of them; a missing azp is accepted, because tokens minted by the
// Backend API for server-side flows have none and a browser cannot strip
// a signed claim.
//
// # Cookies, the handshake and reasons
//
// The server sets three cookies on the app's origin: __lk_session (the
// token, HttpOnly), __lk_client (the long-lived client credential,
// HttpOnly, which this package never reads) and __lk_uat (not secret: the
// Unix second of the client's last sign-in or sign-out change, "0" or
// absent when signed out). Callers that are not browsers send
// "Authorization: Bearer <jwt>" instead; a bearer token is taken as is, and
// no cookie rule applies to it.
//
// A cookie token whose iat is before a positive __lk_uat is stale (the
// client signed out or switched account in another tab after it was
// minted): ReasonIATBeforeClientUAT. Without a positive __lk_uat, a valid
// cookie token stands on its own.
//
// Because tokens live a minute, a page load often arrives with an expired
// token (or none) while __lk_uat says the client is signed in. For a GET or
// HEAD document request (Sec-Fetch-Dest: document, or, with no
// Sec-Fetch-Dest, an Accept header containing text/html) whose token is
// missing, expired or stale while __lk_uat > 0, Authenticate sets
// Auth.Handshake and Middleware answers 303 See Other to
// <FrontendAPIURL>/client/handshake?redirect_url=<this absolute URL>. The
// redirect_url carries __lk_hs=1: the server sets fresh cookies and sends
// the browser back there. If a request carrying __lk_hs=1 still has no
// usable token, the SDK does not redirect again: the request is signed out
// with ReasonHandshakeLoop. Requests that are not documents (fetch, API
// calls) are never redirected: they are signed out with the underlying
// reason, and the browser SDK refreshes its token itself. Only missing,
// expired and stale tokens are refreshed this way; a forged, foreign or
// malformed token is signed out with its own reason.
//
// Every decision has exactly one Reason; the constants list them. The
// handshake is not a reason of its own: Auth.Handshake says it is due, and
// the reason says why (missing, expired or stale). In debug mode the
// Latchkey-Auth-Status header says "signed-in", "signed-out" or
// "handshake".
//
// # Performance and caching
//
// A new token costs one ECDSA P-256 verification (tens of microseconds). A
// Verifier remembers the tokens that verified, keyed by the exact token
// string, until they expire (10,000 by default, bounded), so the many
// requests of one page load cost a map lookup. Consequently a key removed
// from the JWKS stops verifying new tokens at once, but a token already
// verified stays valid until its exp (a minute at most), as it would for
// any networkless verifier.
//
// # The Backend API
//
// NewClient returns a client for the server's Backend API (users and
// sessions), authenticated with a secret key. Errors answered by the server
// are *APIError values with the server's stable code.
package latchkey
