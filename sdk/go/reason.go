package latchkey

// Reason explains an authentication decision in a stable, greppable code.
// Exactly one Reason means signed in: ReasonSessionTokenValid. Every other
// value means the request is treated as signed out (or, with Auth.Handshake,
// is about to be refreshed through the handshake).
//
// The values are an API: they appear in the Latchkey-Auth-Reason header, in
// debug logs and in the dashboard's session debugger, and are never renamed.
type Reason string

// The reasons, one per distinct cause.
const (
	// ReasonSessionTokenValid: the token verified and is fresh.
	ReasonSessionTokenValid Reason = "session-token-valid"
	// ReasonSessionTokenMissing: the request carries no session token. With
	// no positive __lk_uat this is an ordinary signed-out visitor; with one,
	// a document request is sent through the handshake (Auth.Handshake).
	ReasonSessionTokenMissing Reason = "session-token-missing"
	// ReasonSessionTokenMalformed: not a compact JWS, bad base64url, bad or
	// duplicate JSON, a wrong-typed or missing required claim, a typ other
	// than JWT, a crit header, or longer than MaxTokenBytes.
	ReasonSessionTokenMalformed Reason = "session-token-malformed"
	// ReasonAlgNotAllowed: the header names an algorithm other than ES256
	// (none, HS256, RS256, ...). Checked before any key is looked at.
	ReasonAlgNotAllowed Reason = "session-token-alg-not-allowed"
	// ReasonKidUnknown: no published key has the token's kid, even after
	// refetching the JWKS (at most once per cooldown), or the token has no kid.
	ReasonKidUnknown Reason = "session-token-kid-unknown"
	// ReasonSignatureInvalid: the signature is not 64 bytes or does not
	// verify: the token was tampered with or signed by another key.
	ReasonSignatureInvalid Reason = "session-token-signature-invalid"
	// ReasonExpired: exp is in the past, beyond the leeway. Session tokens
	// live 60 seconds, so this is routine; documents of a signed-in client
	// go through the handshake.
	ReasonExpired Reason = "session-token-expired"
	// ReasonNotActiveYet: nbf or iat is in the future beyond the leeway,
	// usually a clock problem on this machine or the server.
	ReasonNotActiveYet Reason = "session-token-not-active-yet"
	// ReasonIssuerMismatch: iss is not exactly Options.Issuer.
	ReasonIssuerMismatch Reason = "session-token-iss-mismatch"
	// ReasonAZPNotAuthorized: azp is present and not in
	// Options.AuthorizedParties.
	ReasonAZPNotAuthorized Reason = "azp-not-authorized"
	// ReasonIATBeforeClientUAT: the token is valid but was minted before the
	// client last changed (__lk_uat), e.g. after a sign-out or an account
	// switch in another tab. Treated like an expired token.
	ReasonIATBeforeClientUAT Reason = "token-iat-before-client-uat"
	// ReasonHandshakeLoop: the request came back from a handshake
	// (__lk_hs=1 in the query) and still has no usable token, so the SDK
	// does not redirect again and treats it as signed out.
	ReasonHandshakeLoop Reason = "handshake-loop"
	// ReasonJWKSUnavailable: the key set could not be fetched (or parsed)
	// when it was needed, so the token could not be checked.
	ReasonJWKSUnavailable Reason = "jwks-unavailable"
)

// SignedIn reports whether r is ReasonSessionTokenValid.
func (r Reason) SignedIn() bool { return r == ReasonSessionTokenValid }

// String returns the reason code.
func (r Reason) String() string { return string(r) }
