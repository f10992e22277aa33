package oauth

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"testing"

	"github.com/latchkeyhq/latchkey"
)

// wantCode fails the test unless err is a *latchkey.Error with code.
func wantCode(t *testing.T, err error, code latchkey.Code) *latchkey.Error {
	t.Helper()
	var e *latchkey.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v, want a *latchkey.Error with code %s", err, code)
	}
	if e.Code != code {
		t.Fatalf("code = %s (%v), want %s", e.Code, err, code)
	}
	return e
}

// loopbackClient is an HTTP client for the tests' loopback servers.
func loopbackClient() *http.Client {
	return &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
}

// s256 is the PKCE S256 challenge of a verifier.
func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
