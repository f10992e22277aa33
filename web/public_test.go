package web

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/latchkeyhq/latchkey"
)

func TestJWKS(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		res := ts.do("GET", "/.well-known/jwks.json", nil, "Authorization", "")
		res.wantStatus(t, http.StatusOK)
		for h, want := range map[string]string{
			"Content-Type":                "application/jwk-set+json",
			"Cache-Control":               "public, max-age=300",
			"Access-Control-Allow-Origin": "*",
		} {
			if got := res.Header.Get(h); got != want {
				t.Errorf("%s = %q, want %q", h, got, want)
			}
		}
		golden(t, "jwks", res.Body)

		var raw struct {
			Keys []map[string]any `json:"keys"`
		}
		res.decode(t, &raw)
		if len(raw.Keys) != 2 {
			t.Fatalf("%d keys, want the current and the next: %s", len(raw.Keys), res.Body)
		}
		kids := map[string]bool{}
		for _, k := range raw.Keys {
			kid, _ := k["kid"].(string)
			if !strings.HasPrefix(kid, "kid_") || k["alg"] != "ES256" || k["crv"] != "P-256" || k["kty"] != "EC" || k["use"] != "sig" {
				t.Errorf("key %v, want kid_..., ES256, P-256, EC, sig", k)
			}
			for _, coord := range []string{"x", "y"} {
				if s, _ := k[coord].(string); len(s) != 43 {
					t.Errorf("key %s: %s = %q, want 43 base64url characters", kid, coord, s)
				}
			}
			for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "k"} {
				if _, ok := k[private]; ok {
					t.Errorf("key %s publishes private member %q", kid, private)
				}
			}
			kids[kid] = true
		}
		if len(kids) != 2 {
			t.Errorf("kids %v, want two different ones", kids)
		}

		// The current signing key is published: a signature it makes
		// verifies with the published key of its kid.
		var set jose.JSONWebKeySet
		if err := json.Unmarshal(res.Body, &set); err != nil {
			t.Fatalf("parse JWKS: %v", err)
		}
		priv, kid, err := ts.keys.Current(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		verifies(t, set, kid, priv)

		// After a rotation the old current key stays published, the old next
		// key signs, and a new next key appears.
		if err := ts.keys.Rotate(context.Background()); err != nil {
			t.Fatal(err)
		}
		res = ts.do("GET", "/.well-known/jwks.json", nil, "Authorization", "")
		var rotated jose.JSONWebKeySet
		if err := json.Unmarshal(res.Body, &rotated); err != nil {
			t.Fatalf("parse JWKS: %v", err)
		}
		if len(rotated.Keys) != 3 {
			t.Fatalf("%d keys after rotation, want 3 (retired, current, next)", len(rotated.Keys))
		}
		verifies(t, rotated, kid, priv)
		priv2, kid2, err := ts.keys.Current(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if kid2 == kid || !kids[kid2] {
			t.Errorf("after rotation the current kid is %s, want the former next key", kid2)
		}
		verifies(t, rotated, kid2, priv2)
	})
}

// verifies checks that set publishes kid and that it verifies a signature
// made by priv.
func verifies(t *testing.T, set jose.JSONWebKeySet, kid string, priv *ecdsa.PrivateKey) {
	t.Helper()
	keys := set.Key(kid)
	if len(keys) != 1 {
		t.Fatalf("kid %s is published %d times, want once", kid, len(keys))
	}
	pub, ok := keys[0].Key.(*ecdsa.PublicKey)
	if !ok || !keys[0].IsPublic() || !keys[0].Valid() {
		t.Fatalf("kid %s: %T, want a valid public ECDSA key", kid, keys[0].Key)
	}
	digest := sha256.Sum256([]byte("header.payload"))
	sig, err := ecdsa.SignASN1(rand.Reader, priv, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	if !ecdsa.VerifyASN1(pub, digest[:], sig) {
		t.Errorf("kid %s: the published key does not verify the signing key's signature", kid)
	}
}

func TestHealth(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		for _, auth := range []string{"", "Bearer nonsense"} {
			res := ts.as(t).do("GET", "/healthz", nil, "Authorization", auth)
			res.wantStatus(t, http.StatusOK)
			golden(t, "healthz", res.Body)
			res = ts.as(t).do("GET", "/readyz", nil, "Authorization", auth)
			res.wantStatus(t, http.StatusOK)
			golden(t, "readyz", res.Body)
			if ct := res.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("readyz Content-Type %q", ct)
			}
		}
	})
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		t.Run("dev", func(t *testing.T) {
			ts := newTestServer(t, engine)
			u := ts.createUser(t, map[string]any{"email_address": []string{"ada@example.com"}})
			ts.do("GET", "/api/v1/users/"+u.ID, nil).wantStatus(t, http.StatusOK)
			ts.do("GET", "/healthz", nil).wantStatus(t, http.StatusOK)
			ts.do("GET", "/no/such/path", nil).wantStatus(t, http.StatusNotFound)
			res := ts.do("GET", "/metrics", nil, "Authorization", "")
			res.wantStatus(t, http.StatusOK)
			if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
				t.Errorf("Content-Type %q, want text/plain", ct)
			}
			body := string(res.Body)
			for _, want := range []string{
				`latchkey_http_requests_total{method="GET",route="GET /healthz",status="200"} 1`,
				`latchkey_http_requests_total{method="GET",route="GET /api/v1/users/{id}",status="200"} 1`,
				`latchkey_http_requests_total{method="POST",route="POST /api/v1/users",status="200"} 1`,
				`latchkey_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
				`latchkey_http_request_duration_seconds_bucket{route="GET /healthz"`,
				"latchkey_password_hash_queue 0",
				"latchkey_password_hash_running 0",
				"latchkey_password_hash_workers ",
				"go_goroutines ",
			} {
				if !strings.Contains(body, want) {
					t.Errorf("metrics lack %q", want)
				}
			}
			// Routes are labelled by pattern, never by raw path.
			if strings.Contains(body, u.ID) || strings.Contains(body, "/no/such/path") {
				t.Errorf("metrics carry a raw path")
			}
		})
		t.Run("serve", func(t *testing.T) {
			ts := newTestServer(t, engine, withoutDev())
			ts.do("GET", "/metrics", nil, "Authorization", "").wantError(t, http.StatusUnauthorized, latchkey.CodeAuthHeaderMissing, "")
			ts.do("GET", "/metrics", nil, "Authorization", "Bearer sk_test_"+latchkey.RandomString(40)).
				wantError(t, http.StatusUnauthorized, latchkey.CodeAuthInvalid, "")
			res := ts.do("GET", "/metrics", nil)
			res.wantStatus(t, http.StatusOK)
			if !strings.Contains(string(res.Body), "latchkey_http_requests_total") {
				t.Errorf("metrics with a secret key lack the request counter")
			}
			// Only /metrics changes outside dev mode.
			ts.do("GET", "/healthz", nil, "Authorization", "").wantStatus(t, http.StatusOK)
			ts.do("GET", "/.well-known/jwks.json", nil, "Authorization", "").wantStatus(t, http.StatusOK)
		})
	})
}
