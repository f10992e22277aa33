package latchkey

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The test world: a Latchkey server at testIssuer signing for testApp.
const (
	testIssuer = "https://auth.example.com"
	testApp    = "https://app.example.com"
	testUser   = "user_2abc"
	testSess   = "sess_2def"
)

// t0 is the fixed start of every test clock.
var t0 = time.Unix(1_900_000_000, 0)

// signingKey is an ES256 key pair with its kid.
type signingKey struct {
	kid  string
	priv *ecdsa.PrivateKey
}

func newSigningKey(tb testing.TB, kid string) signingKey {
	tb.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return signingKey{kid: kid, priv: priv}
}

func (k signingKey) publicPEM(tb testing.TB) string {
	tb.Helper()
	der, err := x509.MarshalPKIXPublicKey(&k.priv.PublicKey)
	if err != nil {
		tb.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// jwk returns the key as the server publishes it.
func (k signingKey) jwk(tb testing.TB) map[string]string {
	tb.Helper()
	b, err := k.priv.PublicKey.Bytes() // 0x04 || x || y
	if err != nil {
		tb.Fatal(err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	return map[string]string{"kty": "EC", "crv": "P-256", "kid": k.kid, "alg": "ES256", "use": "sig",
		"x": enc(b[1:33]), "y": enc(b[33:])}
}

func b64JSON(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func b64s(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// es256 signs signingInput the way the server does: r||s, 32 bytes each.
func es256(tb testing.TB, priv *ecdsa.PrivateKey, signingInput string) string {
	tb.Helper()
	digest := sha256.Sum256([]byte(signingInput))
	r, s, err := ecdsa.Sign(rand.Reader, priv, digest[:])
	if err != nil {
		tb.Fatal(err)
	}
	var sig [64]byte
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return base64.RawURLEncoding.EncodeToString(sig[:])
}

// signRaw signs a header and payload given as raw JSON text, so tests can
// send exactly the bytes they mean (duplicates, wrong types).
func signRaw(tb testing.TB, k signingKey, headerJSON, payloadJSON string) string {
	tb.Helper()
	in := b64s(headerJSON) + "." + b64s(payloadJSON)
	return in + "." + es256(tb, k.priv, in)
}

// sign signs claims with k under the standard header.
func sign(tb testing.TB, k signingKey, claims map[string]any) string {
	tb.Helper()
	in := b64JSON(tb, map[string]any{"alg": "ES256", "kid": k.kid, "typ": "JWT"}) + "." + b64JSON(tb, claims)
	return in + "." + es256(tb, k.priv, in)
}

// claimsAt returns the claims the server mints at now; edit them with
// with(...).
func claimsAt(now time.Time) map[string]any {
	return map[string]any{
		"iss": testIssuer, "sub": testUser, "sid": testSess, "azp": testApp,
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(60 * time.Second).Unix(),
		"jti": "jti_1", "v": 1, "fva": []int{3, -1},
	}
}

func with(m map[string]any, kv ...any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
		} else {
			out[kv[i].(string)] = kv[i+1]
		}
	}
	return out
}

// clock is a settable time source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// jwksServer serves a changeable key set on loopback and counts fetches.
type jwksServer struct {
	*httptest.Server
	hits atomic.Int64

	mu     sync.Mutex
	keys   []signingKey
	status int
	delay  chan struct{} // if set, each fetch waits for it to close
}

func newJWKSServer(tb testing.TB, keys ...signingKey) *jwksServer {
	tb.Helper()
	s := &jwksServer{keys: keys, status: http.StatusOK}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		s.mu.Lock()
		status, delay := s.status, s.delay
		set := []map[string]string{}
		for _, k := range s.keys {
			set = append(set, k.jwk(tb))
		}
		s.mu.Unlock()
		if delay != nil {
			<-delay
		}
		if status != http.StatusOK {
			http.Error(w, "unavailable", status)
			return
		}
		w.Header().Set("Content-Type", "application/jwk-set+json")
		json.NewEncoder(w).Encode(map[string]any{"keys": set})
	}))
	tb.Cleanup(s.Close)
	return s
}

func (s *jwksServer) setKeys(keys ...signingKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = keys
}

func (s *jwksServer) setStatus(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status = status
}

// fixture is a verifier over a JWKS server with one key, on a test clock.
type fixture struct {
	key   signingKey
	jwks  *jwksServer
	clock *clock
	v     *Verifier
}

func newFixture(tb testing.TB, edit ...func(*Options)) *fixture {
	tb.Helper()
	f := &fixture{key: newSigningKey(tb, "kid_current"), clock: &clock{now: t0}}
	f.jwks = newJWKSServer(tb, f.key)
	opts := Options{
		JWKSURL:           f.jwks.URL + "/.well-known/jwks.json",
		Issuer:            testIssuer,
		AuthorizedParties: []string{testApp},
		Now:               f.clock.Now,
		HTTPClient:        f.jwks.Client(),
	}
	for _, e := range edit {
		e(&opts)
	}
	v, err := NewVerifier(opts)
	if err != nil {
		tb.Fatal(err)
	}
	f.v = v
	return f
}

// token returns a fresh token of the fixture's key at the current time.
func (f *fixture) token(tb testing.TB) string {
	tb.Helper()
	return sign(tb, f.key, claimsAt(f.clock.Now()))
}

// noNetwork is a transport that fails the test if anything is fetched.
type noNetwork struct{ t *testing.T }

func (n noNetwork) RoundTrip(r *http.Request) (*http.Response, error) {
	n.t.Errorf("unexpected network request to %s", r.URL)
	return nil, http.ErrHandlerTimeout
}
