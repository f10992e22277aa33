package oauth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// fakeOP is a loopback OpenID provider whose token endpoint returns
// whatever id_token the test crafted, signed with keys the test controls
// and published (or not) at its JWKS endpoint. It is for the id_token
// checks a real OP never gets wrong on purpose.
type fakeOP struct {
	URL string

	mu         sync.Mutex
	idToken    string
	userinfo   map[string]any
	keys       []jose.JSONWebKey // published
	tokenForm  func(form map[string][]string)
	jwksserved atomic.Int32
}

func startFakeOP(t *testing.T) *fakeOP {
	t.Helper()
	f := &fakeOP{}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	writeJSON := func(w http.ResponseWriter, v any) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(v)
	}
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{
			"issuer": f.URL, "authorization_endpoint": f.URL + "/authorize", "token_endpoint": f.URL + "/token",
			"userinfo_endpoint": f.URL + "/userinfo", "jwks_uri": f.URL + "/jwks",
			"id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, r *http.Request) {
		f.jwksserved.Add(1)
		f.mu.Lock()
		defer f.mu.Unlock()
		writeJSON(w, jose.JSONWebKeySet{Keys: f.keys})
	})
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.tokenForm != nil {
			f.tokenForm(r.PostForm)
		}
		writeJSON(w, map[string]any{"access_token": "at-1", "token_type": "Bearer", "expires_in": 3600, "id_token": f.idToken})
	})
	mux.HandleFunc("/userinfo", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if r.Header.Get("Authorization") != "Bearer at-1" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		writeJSON(w, f.userinfo)
	})
	return f
}

func (f *fakeOP) set(idToken string, userinfo map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.idToken, f.userinfo = idToken, userinfo
}

func (f *fakeOP) publish(keys ...jose.JSONWebKey) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.keys = keys
}

// testKey is a signing key with its kid.
type testKey struct {
	kid string
	alg jose.SignatureAlgorithm
	key any
}

func newRSAKey(t *testing.T, kid string) testKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return testKey{kid: kid, alg: jose.RS256, key: k}
}

func newECKey(t *testing.T, kid string) testKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return testKey{kid: kid, alg: jose.ES256, key: k}
}

func (k testKey) public() jose.JSONWebKey {
	var pub any
	switch key := k.key.(type) {
	case *rsa.PrivateKey:
		pub = &key.PublicKey
	case *ecdsa.PrivateKey:
		pub = &key.PublicKey
	}
	return jose.JSONWebKey{Key: pub, KeyID: k.kid, Algorithm: string(k.alg), Use: "sig"}
}

func (k testKey) sign(t *testing.T, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: k.alg, Key: jose.JSONWebKey{Key: k.key, KeyID: k.kid}}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}
