// Package oauth runs the OAuth 2.0 authorization code flow, with PKCE and
// OpenID Connect, against the social sign-in providers Latchkey supports.
//
// It is a protocol library: no HTTP handlers and no storage. A caller builds
// a *Provider from a latchkey.OAuthProvider with New, sends the person to the
// URL that Start returns, checks the state it stored against the callback,
// reads the code with ParseCallback and turns it into a verified Profile and
// the provider's tokens with Finish.
//
// What it guarantees:
//   - Every authorization request carries a fresh state (256 bits), a PKCE
//     S256 code challenge from a fresh verifier and, for OpenID Connect
//     providers, a fresh nonce. Binding the state to the sign-in attempt and
//     the browser is the caller's job.
//   - An id_token is accepted only when its signature verifies with the
//     provider's published keys under an algorithm allow-list (never "none"),
//     its issuer and audience are the expected ones, it has not expired (one
//     minute of leeway for clock skew) and its nonce equals the stored one. A
//     Microsoft id_token's issuer must name the tenant in its own tid claim,
//     and that tenant must be one the configuration allows.
//   - Userinfo is only merged into the profile when its subject equals the
//     id_token's.
//   - Email addresses are normalised with latchkey.NormalizeEmail. A provider
//     that shares no usable email still gives a Result with an empty Email;
//     whether that is acceptable is the caller's decision.
//   - Errors are *latchkey.Error values with stable codes. Their messages
//     never contain client secrets, codes or tokens.
package oauth
