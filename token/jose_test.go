package token

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey/seal"
	"github.com/latchkeyhq/latchkey/sqlstore/storetest"
)

// joseVerifierEnv names the independent verifier script (e2e/jose/verify.mjs,
// with its node_modules installed). The test command sets it.
const joseVerifierEnv = "LATCHKEY_JOSE_VERIFIER"

// TestJoseVerifiesOurTokens has the npm jose library, an implementation
// independent of ours, verify a session token against our JWKS, across a key
// rotation, and reject a tampered one.
func TestJoseVerifiesOurTokens(t *testing.T) {
	script := os.Getenv(joseVerifierEnv)
	if script == "" {
		t.Skipf("%s is not set (the test command sets it after installing e2e/jose)", joseVerifierEnv)
	}
	if !filepath.IsAbs(script) {
		t.Fatalf("%s must be an absolute path, got %q", joseVerifierEnv, script)
	}
	ctx := context.Background()
	master := make([]byte, seal.KeySize)
	rand.Read(master)
	box, _ := seal.New(master)
	ring := NewKeyring(storetest.Open(t, "sqlite"), box)
	if err := ring.Init(ctx); err != nil {
		t.Fatal(err)
	}
	claims := SessionClaims{Issuer: "https://auth.example.test", UserID: "user_1", SessionID: "sess_1",
		AuthorizedParty: "https://app.example.test", IssuedAt: time.Now(), Lifetime: time.Minute,
		FirstFactorAge: 3, SecondFactorAge: -1, Custom: map[string]any{"role": "admin", "sub": "ignored"}}
	before, _, err := ring.Sign(ctx, claims)
	if err != nil {
		t.Fatal(err)
	}
	if err := ring.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	after, _, err := ring.Sign(ctx, claims)
	if err != nil {
		t.Fatal(err)
	}
	jwks, err := ring.JWKS(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for name, tok := range map[string]string{"signed before rotation": before, "signed after rotation": after} {
		out, err := runJose(t, script, jwks, tok, claims.Issuer)
		if err != nil {
			t.Fatalf("%s: jose refused our token: %v (%s)", name, err, out)
		}
		var got struct {
			Payload map[string]any `json:"payload"`
			Header  map[string]any `json:"header"`
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("%s: %v: %s", name, err, out)
		}
		p := got.Payload
		if p["sub"] != "user_1" || p["sid"] != "sess_1" || p["azp"] != "https://app.example.test" || p["role"] != "admin" ||
			p["v"] != float64(1) || got.Header["alg"] != "ES256" || got.Header["typ"] != "JWT" {
			t.Errorf("%s: jose saw payload %v header %v", name, p, got.Header)
		}
	}
	// One changed character in the payload must fail verification.
	parts := strings.Split(after, ".")
	parts[1] = strings.Replace(parts[1], parts[1][5:6], map[bool]string{true: "A", false: "B"}[parts[1][5:6] != "A"], 1)
	if out, err := runJose(t, script, jwks, strings.Join(parts, "."), claims.Issuer); err == nil {
		t.Fatalf("jose accepted a tampered token: %s", out)
	}
	if out, err := runJose(t, script, jwks, after, "https://other.example.test"); err == nil {
		t.Fatalf("jose accepted a token for another issuer: %s", out)
	}
}

func runJose(t *testing.T, script string, jwks []byte, tok, issuer string) ([]byte, error) {
	t.Helper()
	in, _ := json.Marshal(map[string]any{"jwks": json.RawMessage(jwks), "token": tok, "issuer": issuer})
	cmd := exec.Command("node", script)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if stderr.Len() > 0 {
		t.Logf("node stderr: %s", stderr.String())
	}
	return out, err
}
