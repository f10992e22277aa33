package latchkey

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Names of the cookies, header and query parameter of the contract.
const (
	// SessionCookie holds the session JWT (HttpOnly).
	SessionCookie = "__lk_session"
	// ClientUATCookie holds the Unix second of the client's last sign-in or
	// sign-out change, "0" or absent when signed out. It is not a secret.
	ClientUATCookie = "__lk_uat"
	// HandshakeParam marks a request that comes back from a handshake.
	HandshakeParam = "__lk_hs"
	// AuthReasonHeader carries the Reason of a decision in debug mode.
	AuthReasonHeader = "Latchkey-Auth-Reason"
	// AuthStatusHeader carries "signed-in", "signed-out" or "handshake" in
	// debug mode.
	AuthStatusHeader = "Latchkey-Auth-Status"
)

// Defaults of Options.
const (
	DefaultLeeway          = 5 * time.Second
	DefaultRefetchCooldown = 30 * time.Second
)

// Options configure a Verifier. Issuer and exactly one of JWKSURL and
// PublicKeyPEM are required.
type Options struct {
	// JWKSURL is the server's key set, "<server>/.well-known/jwks.json".
	// It is fetched on first use, refetched when a token names an unknown
	// kid (at most once per RefetchCooldown) and after an hour.
	JWKSURL string
	// PublicKeyPEM is one PKIX "PUBLIC KEY" PEM block of an ES256 key, for
	// verification with no network at all. The token's kid is ignored, so
	// a key rotation needs a new PEM.
	PublicKeyPEM string
	// Issuer is the server's public URL; iss must equal it exactly
	// ("https://auth.example.com", no trailing slash unless the server's
	// URL has one).
	Issuer string
	// AuthorizedParties are the origins allowed in azp, e.g.
	// "https://app.example.com". When the list is not empty, a token whose
	// azp is present must name one of them; a token with no azp (minted by
	// a server-side call, not a browser) is accepted. An empty list accepts
	// any azp.
	AuthorizedParties []string
	// Leeway absorbs clock skew in exp, nbf and iat checks. Zero means
	// DefaultLeeway; a negative value means none.
	Leeway time.Duration
	// RefetchCooldown is the least time between two JWKS fetches caused
	// by unknown kids. Zero means DefaultRefetchCooldown. After a failed
	// fetch the next may come after 5 s if that is sooner.
	RefetchCooldown time.Duration
	// CacheSize bounds the verified-token cache. Zero means
	// DefaultCacheSize; a negative value disables the cache.
	CacheSize int
	// HTTPClient fetches the JWKS; nil means a client with a 10 s timeout.
	HTTPClient *http.Client
	// Logger, if set, receives JWKS fetch failures (never tokens).
	Logger *slog.Logger
	// Now is the clock, for tests; nil means time.Now.
	Now func() time.Time
}

// Verifier verifies Latchkey session tokens. It is safe for concurrent use
// and meant to live as long as the process: it holds the key cache and the
// verified-token cache.
type Verifier struct {
	issuer  string
	parties map[string]struct{}
	leeway  time.Duration
	now     func() time.Time
	keys    keySource
	cache   *tokenCache // nil when disabled
}

// NewVerifier checks opts and returns a Verifier. It does no I/O: the JWKS
// is fetched by the first verification that needs it.
func NewVerifier(opts Options) (*Verifier, error) {
	if opts.Issuer == "" {
		return nil, errors.New("latchkey: Options.Issuer is required (the Latchkey server's public URL, e.g. https://auth.example.com)")
	}
	v := &Verifier{issuer: opts.Issuer, leeway: opts.Leeway, now: opts.Now}
	if v.leeway == 0 {
		v.leeway = DefaultLeeway
	} else if v.leeway < 0 {
		v.leeway = 0
	}
	if v.now == nil {
		v.now = time.Now
	}
	if len(opts.AuthorizedParties) > 0 {
		v.parties = make(map[string]struct{}, len(opts.AuthorizedParties))
		for _, p := range opts.AuthorizedParties {
			v.parties[p] = struct{}{}
		}
	}
	switch {
	case opts.JWKSURL != "" && opts.PublicKeyPEM != "":
		return nil, errors.New("latchkey: set Options.JWKSURL or Options.PublicKeyPEM, not both")
	case opts.PublicKeyPEM != "":
		pub, err := parsePublicKeyPEM(opts.PublicKeyPEM)
		if err != nil {
			return nil, fmt.Errorf("latchkey: %w", err)
		}
		v.keys = staticKey{pub: pub}
	case opts.JWKSURL != "":
		u, err := url.Parse(opts.JWKSURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fmt.Errorf("latchkey: Options.JWKSURL %q is not an absolute http(s) URL", opts.JWKSURL)
		}
		client := opts.HTTPClient
		if client == nil {
			client = &http.Client{Timeout: jwksTimeout}
		}
		cooldown := opts.RefetchCooldown
		if cooldown <= 0 {
			cooldown = DefaultRefetchCooldown
		}
		v.keys = &jwksKeys{url: opts.JWKSURL, client: client, now: v.now, cooldown: cooldown, log: opts.Logger}
	default:
		return nil, errors.New("latchkey: set Options.JWKSURL (e.g. https://auth.example.com/.well-known/jwks.json) or Options.PublicKeyPEM")
	}
	if opts.CacheSize >= 0 {
		size := opts.CacheSize
		if size == 0 {
			size = DefaultCacheSize
		}
		v.cache = newTokenCache(size)
	}
	return v, nil
}

// Verify checks a session token and returns its claims with
// ReasonSessionTokenValid, or nil and the reason it was refused. It uses
// the network only to fetch the JWKS, and never for a token it verified
// before (the verified-token cache).
//
// Verify knows nothing of cookies: the __lk_uat staleness check and the
// handshake are Authenticate's.
func (v *Verifier) Verify(ctx context.Context, token string) (*Claims, Reason) {
	if token == "" {
		return nil, ReasonSessionTokenMissing
	}
	if len(token) > MaxTokenBytes {
		return nil, ReasonSessionTokenMalformed // before hashing it for the cache
	}
	now := v.now()
	if v.cache != nil {
		if c, ok := v.cache.get(token, now); ok {
			return c, ReasonSessionTokenValid
		}
	}
	t, reason := splitJWS(token)
	if reason != "" {
		return nil, reason
	}
	pub, reason := v.keys.key(ctx, t.header.kid)
	if reason != "" {
		return nil, reason
	}
	if !verifyES256(pub, t.signingInput, t.signature) {
		return nil, ReasonSignatureInvalid
	}
	payload, err := b64.DecodeString(t.payload)
	if err != nil {
		return nil, ReasonSessionTokenMalformed
	}
	c, err := parseClaims(payload)
	if err != nil {
		return nil, ReasonSessionTokenMalformed
	}
	// Issuer and audience first, so that "expired" always means "would be
	// fine if it were fresh", which is what makes a handshake worthwhile.
	if c.Issuer != v.issuer {
		return nil, ReasonIssuerMismatch
	}
	if c.AuthorizedParty != "" && v.parties != nil {
		if _, ok := v.parties[c.AuthorizedParty]; !ok {
			return nil, ReasonAZPNotAuthorized
		}
	}
	until := c.ExpiresAt.Add(v.leeway)
	if !now.Before(until) {
		return nil, ReasonExpired
	}
	from := c.IssuedAt
	if c.NotBefore.After(from) {
		from = c.NotBefore
	}
	from = from.Add(-v.leeway)
	if now.Before(from) {
		return nil, ReasonNotActiveYet
	}
	if v.cache != nil {
		v.cache.put(token, c, from, until, now)
	}
	return c, ReasonSessionTokenValid
}

// Auth is the outcome of authenticating a request.
type Auth struct {
	// SignedIn is true only with ReasonSessionTokenValid.
	SignedIn bool
	// UserID and SessionID come from sub and sid when signed in.
	UserID    string
	SessionID string
	// Claims are the verified claims when signed in, else nil. Read-only.
	Claims *Claims
	// Reason explains the decision.
	Reason Reason
	// Handshake is true when the request is a document request of a
	// signed-in client (positive __lk_uat) whose token is missing, expired
	// or older than __lk_uat: a redirect through the server's handshake
	// will come back with a fresh token. Middleware performs it.
	Handshake bool
}

// Authenticate finds the session token of r and verifies it.
//
// The token is taken from "Authorization: Bearer <jwt>" if present (a
// non-browser caller: no cookie rules apply), else from the __lk_session
// cookie. For a cookie token and a positive __lk_uat, a token minted before
// __lk_uat is stale (ReasonIATBeforeClientUAT). A missing, expired or stale
// token of a signed-in client on a GET or HEAD document request sets
// Handshake, unless the request already came back from a handshake
// (__lk_hs=1), which gives ReasonHandshakeLoop instead.
func (v *Verifier) Authenticate(r *http.Request) (Auth, Reason) {
	tok, bearer := bearerToken(r)
	var uatValue string
	if !bearer {
		tok, uatValue = lkCookies(r)
	}
	claims, reason := v.Verify(r.Context(), tok)
	if !bearer {
		uat := clientUAT(uatValue)
		if reason == ReasonSessionTokenValid && uat > 0 && claims.IssuedAt.Unix() < uat {
			claims, reason = nil, ReasonIATBeforeClientUAT
		}
		if uat > 0 && refreshable(reason) && handshakeEligible(r) {
			if r.URL.Query().Get(HandshakeParam) == "1" {
				reason = ReasonHandshakeLoop
			} else {
				return Auth{Reason: reason, Handshake: true}, reason
			}
		}
	}
	if reason != ReasonSessionTokenValid {
		return Auth{Reason: reason}, reason
	}
	return Auth{SignedIn: true, UserID: claims.Subject, SessionID: claims.SessionID, Claims: claims, Reason: reason}, reason
}

// refreshable reports whether a fresh token from the handshake would fix
// reason. A forged, foreign or malformed token is not papered over.
func refreshable(r Reason) bool {
	return r == ReasonSessionTokenMissing || r == ReasonExpired || r == ReasonIATBeforeClientUAT
}

// handshakeEligible reports whether r is a top-level page load that a
// redirect can safely repeat: a GET or HEAD with Sec-Fetch-Dest: document,
// or, from a browser that sends no Sec-Fetch-Dest, accepting text/html.
// (A redirected POST would lose its body.)
func handshakeEligible(r *http.Request) bool {
	return (r.Method == http.MethodGet || r.Method == http.MethodHead) && documentRequest(r)
}

// bearerToken returns the token of an "Authorization: Bearer" header.
func bearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if len(h) < 7 || !strings.EqualFold(h[:7], "bearer ") {
		return "", false
	}
	tok := strings.TrimSpace(h[7:])
	return tok, tok != ""
}

// lkCookies returns the values of the first __lk_session and __lk_uat
// cookies. It reads the Cookie headers once, without allocating:
// r.Cookie would parse them all again for each name.
func lkCookies(r *http.Request) (session, uat string) {
	var haveSession, haveUAT bool
	for _, line := range r.Header["Cookie"] {
		for part := range strings.SplitSeq(line, ";") {
			name, value, ok := strings.Cut(strings.TrimSpace(part), "=")
			if !ok {
				continue
			}
			if len(value) > 1 && value[0] == '"' && value[len(value)-1] == '"' {
				value = value[1 : len(value)-1]
			}
			switch {
			case name == SessionCookie && !haveSession:
				session, haveSession = value, true
			case name == ClientUATCookie && !haveUAT:
				uat, haveUAT = value, true
			}
		}
	}
	return session, uat
}

// clientUAT parses a __lk_uat value, 0 if absent or invalid.
func clientUAT(v string) int64 {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}
